/* Review page: the viewer's watermark over video and paper (always on), and resizable panes. */
import { $, $$, store, stored } from "../lib.js";

export function initWatermark(S, player) {
  function stamp() {
    const now = new Date();
    const when = now.getFullYear() + "-" + String(now.getMonth() + 1).padStart(2, "0") + "-" +
      String(now.getDate()).padStart(2, "0") + " " +
      now.toLocaleTimeString("zh-CN", { hour12: false, hour: "2-digit", minute: "2-digit" });
    const text = S.watermark + " " + when;
    $$(".rv-stage").forEach((stage) => {
      let mark = $(".watermark", stage);
      if (!mark) {
        mark = document.createElement("div");
        mark.className = "watermark";
        stage.append(mark);
      }
      mark.removeAttribute("style");
      mark.innerHTML = "";
      const count = Math.max(12, Math.ceil(stage.offsetWidth * stage.offsetHeight * 2.25 / (260 * 70)));
      for (let i = 0; i < Math.min(count, 600); i++) {
        const span = document.createElement("span");
        span.textContent = text;
        mark.append(span);
      }
    });
  }
  stamp();
  setInterval(stamp, 30000);
  $$(".paper-photo").forEach((img) => img.addEventListener("load", stamp));
  window.addEventListener("resize", stamp);
  const guard = new MutationObserver((records) => {
    const tampered = records.some((r) => (r.type === "attributes" ? r.target.classList.contains("watermark") :
      Array.prototype.some.call(r.removedNodes, (n) => n.classList && n.classList.contains("watermark"))));
    if (tampered) {
      if (player) player.pause();
      guard.disconnect();
      stamp();
      observe();
    }
  });
  function observe() {
    $$(".rv-stage").forEach((stage) => {
      guard.observe(stage, { childList: true, subtree: true, attributes: true, attributeFilter: ["style", "class", "hidden"] });
    });
  }
  observe();
  return { stamp };
}

export function initPanes() {
  const grid = $("#rv-grid");
  const saved = stored(localStorage, "huibao.review.panes", null);
  if (saved) saved.forEach((w, i) => grid.style.setProperty("--pane" + i, w + "px"));
  $$(".rv-gutter").forEach((gutter) => {
    gutter.addEventListener("pointerdown", (e) => {
      const pane = gutter.previousElementSibling, start = e.clientX, width = pane.getBoundingClientRect().width;
      gutter.setPointerCapture(e.pointerId);
      const move = (ev) => {
        const w = Math.max(220, Math.min(width + ev.clientX - start, grid.clientWidth - 560));
        grid.style.setProperty("--pane" + gutter.dataset.pane, w + "px");
      };
      const up = () => {
        gutter.removeEventListener("pointermove", move);
        gutter.removeEventListener("pointerup", up);
        const widths = $$(".rv-pane").slice(0, 2).map((p) => Math.round(p.getBoundingClientRect().width));
        store(localStorage, "huibao.review.panes", widths);
      };
      gutter.addEventListener("pointermove", move);
      gutter.addEventListener("pointerup", up);
    });
  });
}
