/* Committee pages: take a reviewer's marks, live total, select all, confirm, export polling
   (the file downloads by itself once ready). */
import { requestJSON } from "./lib.js";

{

  function fmt(n) { return String(Math.round(n * 100) / 100); }

  function updateTotal() {
    var total = document.getElementById("agreed-total");
    if (!total) return;
    var sum = 0, any = false;
    document.querySelectorAll("#decision-form input[name^='mark-']").forEach(function (input) {
      if (input.value !== "") { sum += parseFloat(input.value) || 0; any = true; }
    });
    total.textContent = any ? fmt(sum) : "—";
  }

  function take(which) {
    document.querySelectorAll("#decision-form input[name^='mark-']").forEach(function (input) {
      var id = input.name.slice(5);
      var cells = document.querySelectorAll("td[data-criterion='" + id + "']");
      var values = [];
      cells.forEach(function (cell) {
        if (cell.dataset.points !== "" && (which === "mean" || cell.dataset.score === which)) {
          values.push(parseFloat(cell.dataset.points));
        }
      });
      if (!values.length) return;
      var mean = values.reduce(function (a, b) { return a + b; }, 0) / values.length;
      input.value = fmt(Math.round(mean * 2) / 2);  // marks go in half points
    });
    updateTotal();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-take]");
    if (button) { take(button.dataset.take); return; }
    var suggest = event.target.closest("[data-suggest]");
    if (suggest) {  // fills the choice only: the committee still saves it
      var radio = document.querySelector("input[name=outcome][value='" + suggest.dataset.suggest + "']");
      if (radio) radio.checked = true;
      return;
    }
    var confirmer = event.target.closest("[data-confirm]");
    if (confirmer && !window.confirm(confirmer.dataset.confirm)) event.preventDefault();
  });
  document.addEventListener("input", function (event) {
    if (event.target.name && event.target.name.indexOf("mark-") === 0) updateTotal();
  });
  var all = document.querySelector("[data-check-all]");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll("input[name='ids']").forEach(function (box) { box.checked = all.checked; });
    });
  }

  var box = document.getElementById("export");
  if (box) {
    var bar = document.getElementById("export-progress");
    var state = document.getElementById("export-state");
    var link = document.getElementById("export-download");
    var heading = document.getElementById("export-heading");
    // Download by itself once per tab: a reload of the page does not fetch the file again.
    var fetchOnce = function () {
      var key = "huibao-export:" + box.dataset.statusUrl;
      try {
        if (window.sessionStorage.getItem(key)) return;
        window.sessionStorage.setItem(key, "1");
      } catch (e) { /* storage off: download anyway */ }
      link.click();
    };
    var poll = function () {
      requestJSON(box.dataset.statusUrl, { method: "GET" })
        .then(function (r) {
          if (!r.ok) { window.setTimeout(poll, 3000); return; }
          var data = r.data;
          bar.value = data.progress;
          if (data.ready) {
            bar.value = 1; heading.textContent = heading.dataset.ready;
            state.textContent = state.dataset.ready; link.hidden = false;
            fetchOnce();  // the file downloads by itself; the button stays for a second copy
          } else if (data.status === "failed") {
            heading.textContent = heading.dataset.failed; state.textContent = state.dataset.failed;
          } else {
            state.textContent = state.dataset.working; window.setTimeout(poll, 1000);
          }
        });
    };
    // Ready before the page loaded (a quick CSV): start the download once the page is shown.
    if (link.hidden) poll(); else window.addEventListener("load", fetchOnce);
  }
}
