/* Huibao review page: the paper report's page images, one at a time.
 * Buttons, PgUp/PgDn anywhere, and the arrow keys while the page has focus turn the page.
 * A page is fetched only when shown: each fetch is audited and watermarked on the server. */

const pager = document.getElementById("paper-pages");

function setUp(root) {
  const pages = Array.from(root.querySelectorAll(".paper-page"));
  const sheet = root.querySelector(".paper-sheet");
  const count = root.querySelector(".paper-count");
  const prev = root.querySelector('[data-step="-1"]');
  const next = root.querySelector('[data-step="1"]');
  const label = root.dataset.label;
  let current = 0;

  function show(index) {
    if (index < 0 || index >= pages.length || index === current) return;
    pages[current].hidden = true;
    current = index;
    const img = pages[current];
    if (img.dataset.src) {
      img.src = img.dataset.src;
      delete img.dataset.src;
    }
    img.hidden = false;
    count.textContent = label.replace("{n}", current + 1).replace("{total}", pages.length);
    prev.disabled = current === 0;
    next.disabled = current === pages.length - 1;
    sheet.scrollTop = 0;
  }

  prev.addEventListener("click", () => show(current - 1));
  next.addEventListener("click", () => show(current + 1));
  sheet.addEventListener("keydown", (e) => {
    const step = { ArrowLeft: -1, ArrowUp: -1, ArrowRight: 1, ArrowDown: 1 }[e.key];
    if (e.key === "Home") show(0);
    else if (e.key === "End") show(pages.length - 1);
    else if (step) show(current + step);
    else return;
    e.preventDefault();
    e.stopPropagation(); // the page's own arrow keys seek the video
  });
  document.addEventListener("keydown", (e) => {
    if (e.key !== "PageUp" && e.key !== "PageDown") return;
    if (e.target.closest && e.target.closest("input, textarea, select, [contenteditable]")) return;
    e.preventDefault();
    show(current + (e.key === "PageDown" ? 1 : -1));
  });
}

if (pager) setUp(pager);
