/* Committee decide page: the review page's player, synced transcript and watermark, read-only
 * (the same modules as static/js/review.js; no rubric, no corrections, no autosave). */
import { readJSON, typing } from "./lib.js";
import { initPlayer } from "./review/player.js";
import { initWatermark } from "./review/stage.js";
import { initTranscript } from "./review/transcript.js";

const S = readJSON("review-state");
const T = readJSON("review-text");
const video = initPlayer();
const transcript = initTranscript(S, T, video, () => {});
initWatermark(S, video.player);

document.addEventListener("keydown", (e) => {  // J/K as on the review page, outside form fields
  if (typing(e.target) || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
  if (e.key === "j" || e.key === "J") { e.preventDefault(); transcript.step(-1); }
  else if (e.key === "k" || e.key === "K") { e.preventDefault(); transcript.step(1); }
});
document.body.dataset.evidence = "ready";
