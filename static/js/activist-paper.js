/* Huibao paper report: autosave the typed text to the server a few seconds after typing stops,
 * when the page is hidden (phone locked, WeChat backgrounded), and again once the network returns. */
import { csrfToken, fill as fmt } from "./lib.js";
function main() {

  // A file becomes the report: say first that the typed text is kept, and let them cancel.
  document.querySelectorAll("form[data-keeps-text]").forEach(function (fileForm) {
    fileForm.addEventListener("submit", function (e) {
      var typed = document.getElementById("paper-text");
      var texts = JSON.parse(document.getElementById("paper-texts").textContent);
      var n = typed ? typed.value.replace(/\s/g, "").length : 0;
      if (n && !window.confirm(fmt(texts.replace, { n: n }))) e.preventDefault();
    });
  });

  // A file is parsed on the server before the page returns: say so, and stop a second click.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-busy]"), function (f) {
    f.addEventListener("submit", function (e) {
      if (e.defaultPrevented) return;
      var button = f.querySelector('button[type="submit"]');
      if (!button) return;
      button.disabled = true;
      button.textContent = f.getAttribute("data-busy");
    });
  });

  var form = document.getElementById("paper-form");
  var area = document.getElementById("paper-text");
  if (!form || !area) return;
  var T = JSON.parse(document.getElementById("paper-texts").textContent);
  var stateEl = document.getElementById("autosave-state");
  var countEl = document.getElementById("paper-count");
  var url = form.getAttribute("data-autosave");
  var saved = area.value, saving = false, timer = null, frozen = false;
  var IDLE_MS = 2000, RETRY_MS = 5000;


  function count() {
    countEl.textContent = fmt(T.count, { n: area.value.replace(/\s/g, "").length });
  }


  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(save, ms);
  }

  function save(keepalive) {
    if (frozen || saving || area.value === saved) return;
    var text = area.value;
    saving = true;
    stateEl.textContent = T.saving;
    fetch(url, {
      method: "PUT", credentials: "same-origin", keepalive: !!keepalive,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ text: text })
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (body) {
        saving = false;
        if (resp.ok) {
          saved = text;
          stateEl.textContent = fmt(T.saved, { time: new Date().toTimeString().slice(0, 5) });
          document.body.setAttribute("data-autosave", "saved");
          if (area.value !== saved) schedule(IDLE_MS);
          return;
        }
        var msg = body.error ? body.error.message : String(resp.status);
        if (resp.status === 409) {  // submitted or closed: stop trying, say why
          frozen = true;
          area.readOnly = true;
          stateEl.textContent = fmt(T.frozen, { msg: msg });
          return;
        }
        stateEl.textContent = fmt(T.failed, { msg: msg });
        if (resp.status >= 500 || resp.status === 429) schedule(RETRY_MS);
      });
    }, function () {
      saving = false;
      stateEl.textContent = T.offline;
      schedule(RETRY_MS);
    });
  }

  area.addEventListener("input", function () { count(); schedule(IDLE_MS); });
  window.addEventListener("online", function () { schedule(0); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") save(true);
  });
  window.addEventListener("pagehide", function () { save(true); });
  form.addEventListener("submit", function () { clearTimeout(timer); });
  count();
}

main();
