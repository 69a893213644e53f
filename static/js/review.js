/* Reviewer workspace (native ES modules, no build): the queue's N key, and on a review page the
 * player, synced transcript, rubric by keyboard, time-coded comments and autosave. */
import { $, byId, readJSON, typing } from "./lib.js";
import { initAutosave } from "./review/autosave.js";
import { initComments } from "./review/comments.js";
import { initPlayer } from "./review/player.js";
import { initRubric } from "./review/rubric.js";
import { initPanes, initWatermark } from "./review/stage.js";
import { initTranscript } from "./review/transcript.js";

const plain = (e) => !typing(e.target) && !e.ctrlKey && !e.metaKey && !e.altKey;

function initQueue() {  // N opens the next ungraded submission
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
  const comments = initComments(S, T, video, changed);
  autosave = initAutosave(S, T, [rubric, comments], setStatus);

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
  const toggleOverlay = (on) => { overlay.hidden = on === undefined ? !overlay.hidden : !on; };
  byId("shortcuts-btn").addEventListener("click", () => toggleOverlay());
  overlay.addEventListener("click", (e) => { if (e.target === overlay) toggleOverlay(false); });

  document.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { e.preventDefault(); submitReview(); return; }
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
    else if (/^[0-9]$/.test(key)) { e.preventDefault(); rubric.typeDigit(key); }
  });

  initWatermark(S, video.player);
  initPanes();
  document.body.dataset.review = "ready";
}

if (byId("review-state")) initWorkspace(); else initQueue();
