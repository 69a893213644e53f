/* Review page: autosave that never loses an edit.
 *
 * Every edit is one field change {field, value, base, writer, seq}: `base` is the field's
 * revision this page last saw, `writer` names this browser tab (kept across its reloads in
 * sessionStorage), `seq` counts the tab's edits. Changes wait in `pending` and in localStorage
 * (key "huibao.review.<review id>") until the server confirms them; pages hidden or unloaded
 * send them with fetch keepalive; a reloaded page restores and resends what was not confirmed.
 * The server (review/services/drafts.py) merges per field, so a tab never conflicts with itself;
 * a field another tab changed comes back as a conflict, shown with both values to choose from,
 * while every other field keeps saving.
 */
import { $, fill, randomId, requestJSON, store, stored, timeNow } from "../lib.js";

const IDLE_MS = 800, RETRY_MS = 4000;

function same(a, b) {
  return JSON.stringify(a == null ? null : a) === JSON.stringify(b == null ? null : b);
}

function tabWriter() {
  let writer = null, seq = 0;
  try {
    const nav = performance.getEntriesByType("navigation")[0];
    const again = nav && (nav.type === "reload" || nav.type === "back_forward");
    writer = again ? sessionStorage.getItem("huibao.review.writer") : null;
    seq = writer ? parseInt(sessionStorage.getItem("huibao.review.seq") || "0", 10) || 0 : 0;
    if (!writer) sessionStorage.setItem("huibao.review.writer", (writer = randomId()));
  } catch (err) {
    writer = writer || randomId();  // no sessionStorage: a new writer per page load
  }
  return { writer, seq };
}

export function initAutosave(S, T, parts, setStatus) {
  const key = "huibao.review." + S.review_id;
  const base = Object.assign({}, S.fields || {});
  const me = tabWriter();
  const pending = {};      // field -> change not yet confirmed
  const held = {};         // field -> conflict {field, mine, theirs, revision} waiting for a choice
  let inflight = null, timer = null, stopped = !S.editable, submitting = false;

  const partOf = (field) => parts.find((p) => p.owns(field));
  const read = (field) => { const p = partOf(field); return p ? p.read(field) : undefined; };
  const apply = (field, value) => { const p = partOf(field); if (p) p.apply(field, value); };

  function nextSeq() {
    me.seq += 1;
    try { sessionStorage.setItem("huibao.review.seq", String(me.seq)); } catch (err) { /* ignore */ }
    return me.seq;
  }
  function persist() {
    const copy = Object.keys(pending).length ? { pending } : null;
    store(localStorage, key, copy);
  }
  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(save, ms);
  }

  /** An edit on the page: remember it (here and in localStorage), save soon. */
  function change(field, value) {
    if (stopped) return;
    const old = pending[field];
    pending[field] = { field, value, base: old ? old.base : base[field] || 0, writer: me.writer, seq: nextSeq() };
    persist();
    if (!held[field]) schedule(IDLE_MS);
  }

  function outgoing() {
    return Object.values(pending).filter((c) => !held[c.field]);
  }

  function confirm(sent, revisions) {
    sent.forEach((c) => {
      const rev = revisions[c.field];
      if (rev === undefined) return;
      base[c.field] = rev;
      const now = pending[c.field];
      if (now && now.writer === c.writer && now.seq === c.seq) delete pending[c.field];
      else if (now) now.base = rev;
    });
  }

  function hold(conflicts) {
    conflicts.forEach((c) => {
      const mine = pending[c.field];
      if (!mine) return;
      held[c.field] = c;
    });
    renderConflicts();
  }

  function showSaved() {
    const waiting = Object.keys(held).length;
    if (waiting) setStatus(fill(T.choose, { n: waiting }), true);
    else if (!Object.keys(pending).length) setStatus(fill(T.saved, { time: timeNow() }));
  }

  /** Send what is pending; one request at a time (keepalive ones excepted). */
  function save(keepalive) {
    clearTimeout(timer);
    if (stopped || submitting) return Promise.resolve();
    const changes = outgoing();
    if (keepalive === true) {  // leaving: send everything now, even beside a request in flight
      if (changes.length) send(changes, true);
      return Promise.resolve();
    }
    if (inflight) return inflight.then(() => save());
    if (!changes.length) return Promise.resolve();
    setStatus(T.saving);
    inflight = send(changes, true).then((r) => {
      inflight = null;
      if (r.ok) {
        showSaved();
        if (outgoing().length) schedule(IDLE_MS);
      } else if (r.status === 409) {
        stop(r.message);
      } else {
        setStatus(r.status === 0 ? T.offline : fill(T.retry, { reason: r.message }), true);
        schedule(RETRY_MS);
      }
    });
    return inflight;
  }

  function send(changes, keepalive) {
    const body = { review_id: S.review_id, changes: changes.map((c) => Object.assign({}, c)) };
    return requestJSON(S.urls.save, { body, keepalive, fallback: T.error, offline: T.offline }).then((r) => {
      if (r.ok) {
        confirm(changes, r.data.fields || {});
        hold(r.data.conflicts || []);
        persist();
      }
      return r;
    });
  }

  function stop(message) {
    stopped = true;
    const box = $("#conflict");
    box.textContent = message;
    box.hidden = false;
    setStatus(T.conflict_readonly, true);
  }

  /* -- conflicts: both values, the reviewer chooses ---------------------------------------- */
  function shown(field, value) {
    if (field.startsWith("comment:")) return value ? value.text + (value.visible ? "（" + T.visible + "）" : "") : T.deleted;
    return value == null || value === "" ? T.empty : String(value);
  }
  function renderConflicts() {
    const box = $("#conflict");
    const fields = Object.keys(held);
    box.innerHTML = "";
    box.hidden = !fields.length;
    if (!fields.length) return;
    const head = document.createElement("p");
    head.textContent = T.conflict_head;
    box.append(head);
    fields.forEach((field) => {
      const c = held[field], part = partOf(field);
      const row = document.createElement("div");
      row.className = "conflict-row";
      row.dataset.field = field;
      const title = document.createElement("strong");
      title.textContent = part ? part.label(field, pending[field] ? pending[field].value : c.theirs) : field;
      const mine = document.createElement("button");
      mine.type = "button"; mine.className = "btn small"; mine.dataset.choice = "mine";
      mine.textContent = fill(T.keep_mine, { value: shown(field, pending[field] ? pending[field].value : c.mine) });
      const theirs = document.createElement("button");
      theirs.type = "button"; theirs.className = "btn small"; theirs.dataset.choice = "theirs";
      theirs.textContent = fill(T.keep_theirs, { value: shown(field, c.theirs) });
      mine.addEventListener("click", () => choose(field, "mine"));
      theirs.addEventListener("click", () => choose(field, "theirs"));
      row.append(title, " ", mine, " ", theirs);
      box.append(row);
    });
  }
  function choose(field, which) {
    const c = held[field];
    delete held[field];
    if (which === "mine" && pending[field]) {
      pending[field].base = c.revision;
      pending[field].seq = nextSeq();
    } else {
      delete pending[field];
      base[field] = c.revision;
      apply(field, c.theirs);
    }
    persist();
    renderConflicts();
    save().then(showSaved);
  }

  /* -- restore what an earlier page of this review did not get confirmed -------------------- */
  function restore() {
    const saved = stored(localStorage, key, null);
    const entries = saved && saved.pending ? Object.values(saved.pending) : [];
    let restored = 0;
    entries.forEach((c) => {
      if (!c || typeof c.field !== "string" || !partOf(c.field)) return;
      if (c.writer === me.writer && c.seq > me.seq) me.seq = c.seq;
      if (same(read(c.field), c.value)) return;  // the server has it already
      apply(c.field, c.value);
      pending[c.field] = c;
      restored += 1;
    });
    persist();
    if (restored) { setStatus(fill(T.restored, { n: restored })); save(); }
  }

  if (S.editable) {
    restore();
    document.addEventListener("focusout", () => save());
    document.addEventListener("visibilitychange", () => { if (document.hidden) save(true); });
    window.addEventListener("pagehide", () => save(true));
    window.addEventListener("online", () => save());
    setInterval(() => { if (outgoing().length && !inflight) save(); }, RETRY_MS);
  }

  /** Save the last edits and submit; conflicts are shown first and block submitting. */
  function submit(onDone, onError) {
    if (stopped || submitting) return;
    save().then(() => {
      if (Object.keys(held).length) { renderConflicts(); showSaved(); return; }
      submitting = true;
      const changes = outgoing();
      const body = { review_id: S.review_id, changes };
      setStatus(T.submitting);
      requestJSON(S.urls.submit, { body, fallback: T.error, offline: T.offline }).then((r) => {
        if (r.ok) {
          stopped = true;
          Object.keys(pending).forEach((f) => delete pending[f]);
          store(localStorage, key, null);
          onDone(r.data);
          return;
        }
        submitting = false;
        const error = r.data.error || {};
        if (error.code === "field_conflict") { hold(error.conflicts || []); showSaved(); return; }
        if (r.status === 409) { stop(r.message); return; }
        onError(r.message);
      });
    });
  }

  return { change, save, submit, stopped: () => stopped };
}
