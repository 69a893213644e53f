/* Review page: the rubric (points by keyboard, point bands, notes, the overall comment, the
 * live total). Fields it owns: "points:<criterion id>", "note:<criterion id>" and "overall".
 * A band (a level descriptor with its points, e.g. 17–20) fills its top score when clicked or
 * when its key (Q, W, E... shown on it) is pressed; the score stays selected to adjust. */
import { $, $$, fill } from "../lib.js";

export function initRubric(S, T, onChange) {
  const criteria = $$(".criterion");
  const overall = $("#overall");
  const byId = {};
  criteria.forEach((fs) => { byId[fs.dataset.criterion] = fs; });
  let active = 0;

  const pointsOf = (fs) => $(".points-input", fs);
  const noteOf = (fs) => $(".note-input", fs);
  const titleOf = (fs) => $("legend", fs).textContent.replace(/^\d+\.\s*/, "");
  const bandsOf = (fs) => $$(".band", fs);

  function markBands(fs) {  // the band the points fall in is shown pressed
    const v = parseFloat(pointsOf(fs).value);
    bandsOf(fs).forEach((b) => {
      const on = !isNaN(v) && v >= parseFloat(b.dataset.low) && v <= parseFloat(b.dataset.top);
      b.classList.toggle("on", on);
      b.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }
  function fillBand(fs, band) {
    if (!S.editable || !band) return;
    const el = pointsOf(fs);
    el.value = band.dataset.top;
    el.dispatchEvent(new Event("input"));
    el.focus();
    el.select();  // typed digits replace it: the band's top is a starting point
  }
  const bandByKey = (fs, key) => bandsOf(fs).find((b) => b.dataset.key === key.toLowerCase());

  function check(fs) {
    const el = pointsOf(fs), raw = el.value.trim(), max = parseFloat(fs.dataset.max);
    const bad = raw !== "" && (!/^\d+(\.\d+)?$/.test(raw) || parseFloat(raw) > max);
    el.classList.toggle("invalid", bad);
    fs.classList.toggle("scored", raw !== "" && !bad);
    markBands(fs);
    return bad ? fill(T.too_high, { title: titleOf(fs), max: fs.dataset.max }) : null;
  }
  function updateTotal() {
    let total = 0;
    criteria.forEach((fs) => {
      const v = parseFloat(pointsOf(fs).value);
      if (!isNaN(v) && !pointsOf(fs).classList.contains("invalid")) total += v;
    });
    $("#total").textContent = Math.round(total * 100) / 100;
  }
  function showError(text) {
    const box = $("#form-error");
    box.hidden = !text;
    box.textContent = text || "";
  }
  function setActive(i) {
    active = Math.max(0, Math.min(criteria.length - 1, i));
    criteria.forEach((fs, j) => fs.classList.toggle("active", j === active));
  }

  criteria.forEach((fs, i) => {
    const id = fs.dataset.criterion;
    fs.addEventListener("focusin", () => setActive(i));
    const el = pointsOf(fs);
    el.addEventListener("input", () => {
      const problem = check(fs);
      showError(problem);
      updateTotal();
      if (!problem) onChange("points:" + id, el.value.trim());  // an invalid value is not saved
    });
    bandsOf(fs).forEach((b) => b.addEventListener("click", () => fillBand(fs, b)));
    el.addEventListener("keydown", (e) => {
      const band = !e.ctrlKey && !e.metaKey && !e.altKey && e.key.length === 1 && bandByKey(fs, e.key);
      if (band) { e.preventDefault(); fillBand(fs, band); return; }  // letters are no points
      if (e.key === "Enter" && !e.ctrlKey && !e.metaKey) {
        e.preventDefault();
        const next = criteria[i + 1];
        (next ? pointsOf(next) : overall).focus();
      }
    });
    noteOf(fs).addEventListener("input", () => onChange("note:" + id, noteOf(fs).value));
    check(fs);
  });
  if (overall) overall.addEventListener("input", () => onChange("overall", overall.value));
  updateTotal();
  setActive(Math.max(0, criteria.findIndex((fs) => !fs.classList.contains("scored"))));

  function inputOf(field) {
    const [kind, id] = field.split(":");
    if (field === "overall") return overall;
    const fs = byId[id];
    if (!fs) return null;
    return kind === "points" ? pointsOf(fs) : kind === "note" ? noteOf(fs) : null;
  }

  return {
    owns: (field) => !!inputOf(field),
    read(field) { const el = inputOf(field); return el ? (field.startsWith("points:") ? el.value.trim() : el.value) : null; },
    /** Show a value that came from elsewhere (restored from this browser, or the other tab's). */
    apply(field, value) {
      const el = inputOf(field);
      if (!el) return;
      el.value = value == null ? "" : String(value);
      const fs = el.closest(".criterion");
      if (fs) check(fs);
      updateTotal();
    },
    label(field) {
      if (field === "overall") return T.overall;
      const [kind, id] = field.split(":");
      const fs = byId[id];
      return fs ? fill(kind === "points" ? T.points_of : T.note_of, { title: titleOf(fs) }) : field;
    },
    /** The band key (q, w, e...) of the active criterion: fill that band's top score. */
    typeBand(key) {
      if (!S.editable || !criteria.length) return false;
      const band = bandByKey(criteria[active], key);
      if (band) fillBand(criteria[active], band);
      return !!band;
    },
    /** The active criterion: {id, title, note} (note: its textarea). */
    active() {
      const fs = criteria[active];
      return fs ? { id: parseInt(fs.dataset.criterion, 10), title: titleOf(fs), note: noteOf(fs) } : null;
    },
    titleOf(id) { const fs = byId[id]; return fs ? titleOf(fs) : null; },
    typeDigit(digit) {
      if (!S.editable || !criteria.length) return;
      const el = pointsOf(criteria[active]);
      el.focus();
      el.value = digit;
      el.dispatchEvent(new Event("input"));
    },
    /** Return true when every criterion has valid points; else show why and focus the first. */
    complete() {
      const missing = [];
      let problem = null;
      criteria.forEach((fs) => {
        problem = problem || check(fs);
        if (pointsOf(fs).value.trim() === "") missing.push(titleOf(fs));
      });
      if (!problem && !missing.length) return true;
      showError(problem || fill(T.missing, { items: missing.join("、") }));
      const first = criteria.find((fs) => pointsOf(fs).value.trim() === "" || pointsOf(fs).classList.contains("invalid"));
      if (first) pointsOf(first).focus();
      return false;
    },
    showError,
  };
}
