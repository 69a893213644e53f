/* Review page: marks on the video's timeline, under the player: the time-coded comments
 * (coloured by their criterion) and the oath recitation's start and end (from the oath check).
 * Clicking a mark, or anywhere on the bar, seeks there. */
import { $, clock } from "../lib.js";

export function initTimeline(S, video, comments) {
  const bar = $("#timeline");
  const player = video.player;
  if (!bar || !player) return { refresh() {} };
  const played = $(".tl-played", bar);
  const marks = $(".tl-marks", bar);
  const indexOf = {};
  S.criteria.forEach((c) => { indexOf[c.id] = c.index; });
  const duration = () => (isFinite(player.duration) && player.duration > 0 ? player.duration : S.duration || 0);
  const pct = (at, d) => Math.min(100, Math.max(0, (at / d) * 100)) + "%";

  function add(at, kind, label, criterion, d) {
    const mark = document.createElement("button");
    mark.type = "button";
    mark.className = "tl-mark " + kind + " crit-" + (indexOf[criterion] || 0);
    mark.style.left = pct(at, d);
    mark.dataset.at = at;
    mark.title = clock(at) + " " + label;
    mark.setAttribute("aria-label", mark.title);
    mark.addEventListener("click", (e) => { e.stopPropagation(); video.seek(at); });
    marks.append(mark);
  }
  function refresh() {
    marks.innerHTML = "";
    const d = duration();
    if (!d) return;
    const start = S.marks.find((m) => m.kind === "oath-start"), end = S.marks.find((m) => m.kind === "oath-end");
    if (start && end) {  // the recitation as a span between its two marks
      const span = document.createElement("span");
      span.className = "tl-span crit-" + (indexOf[start.criterion] || 0);
      span.style.left = pct(start.at, d);
      span.style.width = Math.max(0, ((end.at - start.at) / d) * 100) + "%";
      marks.append(span);
    }
    S.marks.forEach((m) => add(m.at, m.kind, m.label, m.criterion, d));
    comments.all().forEach((c) => add(c.at, "comment", c.text, c.criterion, d));
  }
  function progress() {
    const d = duration();
    played.style.width = d ? pct(player.currentTime, d) : "0%";
  }
  bar.addEventListener("click", (e) => {
    const box = bar.getBoundingClientRect(), d = duration();
    if (d && box.width) video.seek(((e.clientX - box.left) / box.width) * d);
  });
  player.addEventListener("loadedmetadata", refresh);
  player.addEventListener("durationchange", refresh);
  player.addEventListener("timeupdate", progress);
  player.addEventListener("seeked", progress);
  refresh();
  return { refresh };
}
