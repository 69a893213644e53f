/* Review page: the comment library (常用评语). The reviewer's own phrases and those shared with
 * their branches (review/services/phrases.py), filtered as you type and inserted at the cursor
 * of a criterion's note or of the time-coded comment being typed; any note or time-coded
 * comment can be saved into it, and the reviewer's own phrases shared with this branch. */
import { $, byId, fill, requestJSON } from "../lib.js";

export function initLibrary(S, T, setStatus) {
  const panel = byId("library");
  if (!panel || !S.editable) return { open() {}, keep() {}, isOpen: () => false };
  const filter = $("#library-filter", panel);
  const list = $("#library-list", panel);
  const title = $("#library-title", panel);
  const empty = $("#library-empty", panel);
  let phrases = null, target = null, criterion = null, shown = [], at = 0;

  function load() {
    if (phrases) return Promise.resolve(phrases);
    return requestJSON(S.urls.phrases, { method: "GET", fallback: T.error, offline: T.offline }).then((r) => {
      if (!r.ok) { setStatus(r.message, true); return []; }
      phrases = r.data.phrases;
      return phrases;
    });
  }
  function select(i) {
    at = Math.max(0, Math.min(shown.length - 1, i));
    Array.from(list.children).forEach((li, j) => {
      li.setAttribute("aria-selected", j === at ? "true" : "false");
      if (j === at) { li.scrollIntoView({ block: "nearest" }); filter.setAttribute("aria-activedescendant", li.id); }
    });
  }
  function action(label, run) {
    const b = document.createElement("button");
    b.type = "button"; b.className = "link small"; b.textContent = label;
    b.addEventListener("click", (e) => { e.stopPropagation(); run(); });
    return b;
  }
  function render() {
    const q = filter.value.trim().toLowerCase();
    shown = (phrases || []).filter((p) => (!criterion || !p.criterion || p.criterion === criterion) &&
      (!q || p.text.toLowerCase().includes(q)));
    list.innerHTML = "";
    shown.forEach((p, i) => {
      const li = document.createElement("li");
      li.id = "phrase-" + p.id; li.setAttribute("role", "option"); li.dataset.id = p.id;
      const text = document.createElement("span");
      text.className = "phrase-text"; text.textContent = p.text;
      li.append(text);
      if (!p.mine) li.append(badge(fill(T.shared_by, { branch: p.branch || "" })));
      else if (p.branch_id) li.append(badge(T.shared));
      if (p.mine) {
        li.append(action(p.branch_id ? T.unshare : T.share, () => share(p)), action(T["delete"], () => remove(p)));
      }
      li.addEventListener("mousedown", (e) => e.preventDefault());  // keep the filter focused
      li.addEventListener("click", () => insert(p));
      li.addEventListener("mousemove", () => { if (at !== i) select(i); });
      list.append(li);
    });
    empty.hidden = shown.length > 0;
    select(Math.min(at, shown.length - 1));
  }
  function badge(text) {
    const b = document.createElement("span");
    b.className = "badge"; b.textContent = text;
    return b;
  }
  function place() {
    const box = target.getBoundingClientRect(), width = Math.min(360, window.innerWidth - 16);
    const left = Math.max(8, Math.min(box.left, window.innerWidth - width - 8));
    panel.style.width = width + "px";
    panel.style.left = left + "px";
    const below = box.bottom + 4, height = panel.offsetHeight || 280;
    panel.style.top = (below + height > window.innerHeight ? Math.max(8, box.top - height - 4) : below) + "px";
  }
  function open(el, crit) {
    if (!el) return;
    target = el; criterion = crit || null; at = 0;
    title.textContent = criterion ? fill(T.library_for, { title: criterion }) : T.library;
    filter.value = "";
    panel.hidden = false;
    place();
    filter.focus();
    load().then(() => { if (!panel.hidden) { render(); place(); } });
  }
  function close(refocus) {
    if (panel.hidden) return;
    panel.hidden = true;
    if (refocus && target) target.focus();
  }
  function insert(p) {
    const el = target;
    close(false);
    el.focus();
    const start = el.selectionStart == null ? el.value.length : el.selectionStart;
    const end = el.selectionEnd == null ? start : el.selectionEnd;
    el.setRangeText(p.text, start, end, "end");
    el.dispatchEvent(new Event("input"));
  }
  function keep(text, crit) {
    text = (text || "").trim();
    setStatus("");
    if (!text) { setStatus(T.keep_empty, true); return Promise.resolve(null); }
    return requestJSON(S.urls.phrases, { body: { text, criterion: crit || null }, fallback: T.error, offline: T.offline })
      .then((r) => {
        if (!r.ok) { setStatus(r.message, true); return null; }
        if (phrases) phrases = [r.data].concat(phrases.filter((p) => p.id !== r.data.id));
        setStatus(T.kept);
        return r.data;
      });
  }
  function share(p) {
    const url = S.urls.phrases + "/" + p.id + "/share";
    requestJSON(url, { body: { branch_id: p.branch_id ? null : S.branch_id }, fallback: T.error, offline: T.offline })
      .then((r) => {
        if (!r.ok) { setStatus(r.message, true); return; }
        Object.assign(p, r.data);
        render();
        filter.focus();
      });
  }
  function remove(p) {
    requestJSON(S.urls.phrases + "/" + p.id, { method: "DELETE", fallback: T.error, offline: T.offline }).then((r) => {
      if (!r.ok) { setStatus(r.message, true); return; }
      phrases = phrases.filter((q) => q.id !== p.id);
      render();
      filter.focus();
    });
  }

  filter.addEventListener("input", () => { at = 0; render(); });
  filter.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown") { e.preventDefault(); select(at + 1); }
    else if (e.key === "ArrowUp") { e.preventDefault(); select(at - 1); }
    else if (e.key === "Enter" && !e.isComposing) { e.preventDefault(); if (shown[at]) insert(shown[at]); }
    else if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); close(true); }
  });
  panel.addEventListener("keydown", (e) => {
    if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); close(true); }
  });
  $("#library-close", panel).addEventListener("click", () => close(true));
  document.addEventListener("mousedown", (e) => { if (!panel.hidden && !panel.contains(e.target)) close(false); });

  return { open, keep, isOpen: () => !panel.hidden };
}
