/* Reviewer workspace (native ES modules, no build): the queue's N key, and on a review page the
 * player, synced transcript, rubric by keyboard with point bands, time-coded comments with their
 * marks on the timeline, the comment library and autosave.
 *
 * Single-key shortcuts (letters, digits, space, arrows, ?) can be turned off (WCAG 2.1.4): the
 * choice is kept in localStorage ("huibao.shortcuts"), for the queue and every review page.
 * Shortcuts with Ctrl/Cmd, Esc, and the keys of a focused field (Enter and the band letters in
 * a score box) stay on. */
import { $, $$, byId, readJSON, store, stored, typing } from "./lib.js";
import { initAutosave } from "./review/autosave.js";
import { initComments } from "./review/comments.js";
import { initLibrary } from "./review/library.js";
import { initPlayer } from "./review/player.js";
import { initRubric } from "./review/rubric.js";
import { initPanes, initWatermark } from "./review/stage.js";
import { initTimeline } from "./review/timeline.js";
import { initTranscript } from "./review/transcript.js";

const SHORTCUTS = "huibao.shortcuts";
const singleKeys = () => stored(localStorage, SHORTCUTS, true) !== false;
const plain = (e) => !typing(e.target) && !e.ctrlKey && !e.metaKey && !e.altKey && singleKeys();

function initShortcutSwitch() {  // the checkbox that turns single-key shortcuts on and off
  const box = byId("single-keys");
  if (!box) return;
  box.checked = singleKeys();
  box.addEventListener("change", () => store(localStorage, SHORTCUTS, box.checked));
}

function initQueue() {  // N opens the next ungraded submission
  initShortcutSwitch();
  document.addEventListener("keydown", (e) => {
    const next = byId("next-ungraded");
    if (next && plain(e) && (e.key === "n" || e.key === "N")) {
      e.preventDefault();
      next.click();
    }
  });
}

function initWorkspace() {
  const S = readJSON("review-state");
  const T = readJSON("review-text");
  const statusEl = $("#save-status");
  const setStatus = (text, bad) => {
    statusEl.textContent = text;
    statusEl.classList.toggle("bad", !!bad);
  };
  const video = initPlayer();
  const transcript = initTranscript(S, T, video, setStatus);
  let autosave = null;
  const changed = (field, value) => { if (autosave) autosave.change(field, value); };
  const rubric = initRubric(S, T, changed);
  const phraseStatus = $("#phrase-status");
  const library = initLibrary(S, T, (text, bad) => {  // its own line: autosave's would overwrite it
    phraseStatus.textContent = text;
    phraseStatus.classList.toggle("bad", !!bad);
  });
  let timeline = null;
  const comments = initComments(S, T, video, changed, {
    changed: () => { if (timeline) timeline.refresh(); },
    keep: (text, criterion) => library.keep(text, criterion == null ? null : rubric.titleOf(criterion)),
  });
  timeline = initTimeline(S, video, comments);
  autosave = initAutosave(S, T, [rubric, comments], setStatus);

  $$(".criterion").forEach((fs) => {  // each criterion's 常用评语 and 存为常用评语
    const note = $(".note-input", fs), title = rubric.titleOf(fs.dataset.criterion);
    const openBtn = $(".library-open", fs), keepBtn = $(".library-keep", fs);
    if (openBtn) openBtn.addEventListener("click", () => library.open(note, title));
    if (keepBtn) keepBtn.addEventListener("click", () => library.keep(note.value, title));
  });
  function openLibrary() {  // for the field being typed in, else the active criterion's note
    const el = document.activeElement;
    const fs = el && el.closest ? el.closest(".criterion") : null;
    if (el && el.classList.contains("note-input") && fs) library.open(el, rubric.titleOf(fs.dataset.criterion));
    else if (el && el === comments.input) {
      const crit = comments.criterion();
      library.open(el, crit == null ? null : rubric.titleOf(crit));
    } else if (el && el.id === "overall") library.open(el, null);
    else { const a = rubric.active(); if (a) library.open(a.note, a.title); }
  }

  function submitReview() {
    if (!S.editable || autosave.stopped() || !rubric.complete()) return;
    autosave.submit(
      (data) => window.location.assign(data.next_url),
      (message) => { rubric.showError(message); setStatus(message, true); },
    );
  }
  const submitBtn = byId("submit-review");
  if (submitBtn) submitBtn.addEventListener("click", submitReview);
  const form = byId("rubric");
  if (form) form.addEventListener("submit", (e) => e.preventDefault());

  const overlay = byId("shortcuts");
  const opener = byId("shortcuts-btn");
  const toggleOverlay = (on) => {
    const show = on === undefined ? overlay.hidden : on;
    if (show === !overlay.hidden) return;
    overlay.hidden = !show;
    if (show) byId("single-keys").focus(); else if (overlay.contains(document.activeElement) || document.activeElement === document.body) opener.focus();
  };
  opener.addEventListener("click", () => toggleOverlay());
  byId("shortcuts-close").addEventListener("click", () => toggleOverlay(false));
  overlay.addEventListener("click", (e) => { if (e.target === overlay) toggleOverlay(false); });
  initShortcutSwitch();

  document.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { e.preventDefault(); submitReview(); return; }
    if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === "k" || e.key === "K") && S.editable) {
      e.preventDefault();
      openLibrary();
      return;
    }
    if (e.key === "Escape") {
      if (!overlay.hidden) toggleOverlay(false);
      else if (typing(document.activeElement)) document.activeElement.blur();
      return;
    }
    if (!plain(e) || e.isComposing) return;
    const key = e.key, player = video.player;
    if (key === "?") { e.preventDefault(); toggleOverlay(); return; }
    if (!overlay.hidden) return;
    if (key === " ") { e.preventDefault(); video.togglePlay(); }
    else if (key === "ArrowLeft") { e.preventDefault(); if (player) video.seek(player.currentTime - 5); }
    else if (key === "ArrowRight") { e.preventDefault(); if (player) video.seek(player.currentTime + 5); }
    else if (key === "j" || key === "J") { e.preventDefault(); transcript.step(-1); }
    else if (key === "k" || key === "K") { e.preventDefault(); transcript.step(1); }
    else if ((key === "c" || key === "C") && comments.input) { e.preventDefault(); comments.input.focus(); }
    else if (key === "n" || key === "N") { e.preventDefault(); autosave.save().then(() => window.location.assign(S.urls.next)); }
    else if ((key === "l" || key === "L") && S.editable) { e.preventDefault(); openLibrary(); }
    else if (/^[0-9]$/.test(key)) { e.preventDefault(); rubric.typeDigit(key); }
    else if (/^[a-z]$/i.test(key) && rubric.typeBand(key)) e.preventDefault();
  });

  initWatermark(S, video.player);
  initPanes();
  document.body.dataset.review = "ready";
}

if (byId("review-state")) initWorkspace(); else initQueue();
