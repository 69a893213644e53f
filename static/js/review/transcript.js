/* Review page: the transcript synced to playback (J/K, click to seek) and reviewers' corrections. */
import { $, $$, clock, requestJSON } from "../lib.js";

export function initTranscript(S, T, video, setStatus) {
  const player = video.player;
  const segEls = $$("#segments .seg");
  let active = -1;

  function segmentAt(t) {
    for (let i = segEls.length - 1; i >= 0; i--) {
      if (t >= parseFloat(segEls[i].dataset.start) - 0.05) return i;
    }
    return segEls.length ? 0 : -1;
  }
  function sync() {
    $("#clock").textContent = clock(player.currentTime) + " / " + clock(player.duration);
    const i = segmentAt(player.currentTime);
    if (i === active) return;
    if (active >= 0) segEls[active].classList.remove("playing");
    active = i;
    if (i >= 0) {
      segEls[i].classList.add("playing");
      segEls[i].scrollIntoView({ block: "nearest" });
    }
  }
  function step(delta) {
    if (!segEls.length) return;
    let i = player ? segmentAt(player.currentTime) : active;
    i = Math.max(0, Math.min(segEls.length - 1, i + delta));
    video.seek(parseFloat(segEls[i].dataset.start) + 0.01);
  }
  if (player) {
    player.addEventListener("timeupdate", sync);
    player.addEventListener("loadedmetadata", sync);
    player.addEventListener("seeked", sync);
  }

  function edit(li) {
    if (li.classList.contains("editing")) return;
    const span = $(".seg-text", li);
    const box = document.createElement("textarea");
    box.className = "seg-box";
    box.value = span.textContent;
    box.rows = 2;
    li.classList.add("editing");
    span.after(box);
    box.focus();
    const close = () => { box.remove(); li.classList.remove("editing"); };
    box.addEventListener("keydown", (e) => {
      if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); close(); }
      if (e.key !== "Enter" || e.ctrlKey || e.shiftKey) return;
      e.preventDefault();
      const text = box.value.trim();
      if (!text) { setStatus(T.empty_seg, true); return; }
      const url = S.urls.segment.replace(/\/0$/, "/" + li.dataset.id);
      requestJSON(url, { body: { text }, fallback: T.error, offline: T.offline }).then((r) => {
        if (!r.ok) { setStatus(r.message, true); return; }
        shown(li, r.data);
        $$(".seg-term", li).forEach((el) => el.remove()); // the human text replaces the fixes
        close();
      });
    });
  }
  function shown(li, data) {
    const text = $(".seg-text", li);
    text.textContent = "";
    (data.pieces || [{ text: data.text }]).forEach((p) => {
      if (p.heard === undefined) { text.append(p.text); return; }
      const mark = document.createElement("mark");
      mark.className = "term-fix";
      mark.dataset.index = p.index;
      mark.textContent = p.text;
      text.append(mark);
    });
    li.classList.toggle("corrected", data.corrected);
    $(".seg-badge", li).hidden = !data.corrected;
  }
  function undoTerm(li, button) {
    const n = button.dataset.index;
    const url = S.urls.undo_term.replace(/\/segments\/0\/terms\/0\/undo$/,
      "/segments/" + li.dataset.id + "/terms/" + n + "/undo");
    button.disabled = true;
    requestJSON(url, { body: {}, fallback: T.error, offline: T.offline }).then((r) => {
      button.disabled = false;
      if (!r.ok) { setStatus(r.message, true); return; }
      shown(li, r.data); // the text as stored, the other fixes still marked
      $$(".seg-term", li).forEach((el) => { if (el.dataset.index === n) el.remove(); });
      setStatus(T.undone_term);
    });
  }
  segEls.forEach((li) => {
    const start = () => video.seek(parseFloat(li.dataset.start) + 0.01);
    $(".seg-time", li).addEventListener("click", start);
    $(".seg-text", li).addEventListener("click", () => { if (!li.classList.contains("editing")) start(); });
    const button = $(".seg-edit", li);
    if (button) button.addEventListener("click", () => edit(li));
    $$(".seg-undo", li).forEach((b) => b.addEventListener("click", () => undoTerm(li, b)));
  });

  return { step };
}
