/* Review page: the video player (seek, play, speed, captions, fullscreen keeping the watermark). */
import { $, $$ } from "../lib.js";

export function initPlayer() {
  const player = $("#player");

  function seek(to) {
    if (!player) return;
    player.currentTime = Math.max(0, Math.min(to, player.duration || to));
  }
  function togglePlay() {
    if (!player) return;
    if (player.paused) player.play().catch(() => {}); else player.pause();
  }
  function toggleFullscreen() {
    const stage = $("#video-stage");
    if (document.fullscreenElement) document.exitFullscreen();
    else if (stage && stage.requestFullscreen) stage.requestFullscreen();  // keeps the watermark
  }
  function seekFromUrl() {  // ?t=12.5 from search results, #t=12.5 from analysis hints
    const m = /[?&#]t=([0-9.]+)/.exec(location.search + location.hash);
    if (m) seek(parseFloat(m[1]));
  }
  if (player) {
    player.addEventListener("loadedmetadata", seekFromUrl, { once: true });
    window.addEventListener("hashchange", seekFromUrl);
    $("#speed").addEventListener("change", (e) => { player.playbackRate = parseFloat(e.target.value); });
    $("#captions-on").addEventListener("change", (e) => {
      if (player.textTracks[0]) player.textTracks[0].mode = e.target.checked ? "showing" : "hidden";
    });
    $("#fullscreen").addEventListener("click", toggleFullscreen);
    player.addEventListener("dblclick", (e) => { e.preventDefault(); toggleFullscreen(); });
  }
  $$(".rv-stage").forEach((stage) => {
    stage.addEventListener("contextmenu", (e) => e.preventDefault());
    stage.addEventListener("dragstart", (e) => e.preventDefault());
  });

  return {
    player,
    seek,
    togglePlay,
    /** The current time, rounded to 1/100 s (0 without a video). */
    now: () => (player ? Math.round(player.currentTime * 100) / 100 : 0),
    pause() { if (player && !player.paused) { player.pause(); return true; } return false; },
    play() { if (player) player.play().catch(() => {}); },
  };
}
