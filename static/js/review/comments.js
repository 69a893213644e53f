/* Review page: time-coded comments. Each has an id made here, so saving it twice (a reload, a
 * keepalive flush, a retry) stores it once. Field "comment:<id>": {at, text, visible} or null. */
import { $, clock, fill, randomId } from "../lib.js";

export function initComments(S, T, video, onChange) {
  const list = $("#comment-list");
  const input = $("#comment-input");
  const visibleBox = $("#comment-visible");
  const comments = new Map(S.comments.map((c) => [c.id, { at: c.at, text: c.text, visible: !!c.visible }]));
  let resumeAfter = false;

  function render() {
    list.innerHTML = "";
    const sorted = Array.from(comments.entries()).sort((a, b) => a[1].at - b[1].at);
    sorted.forEach(([id, c]) => {
      const li = document.createElement("li");
      li.dataset.id = id;
      const at = document.createElement("button");
      at.type = "button"; at.className = "at"; at.tabIndex = -1; at.textContent = clock(c.at);
      at.addEventListener("click", () => video.seek(c.at));
      const text = document.createElement("span");
      text.className = "text"; text.textContent = c.text;
      li.append(at, text);
      if (S.editable) {
        const vis = document.createElement("label");
        vis.className = "inline-field small";
        const box = document.createElement("input");
        box.type = "checkbox"; box.checked = c.visible;
        box.addEventListener("change", () => {
          c.visible = box.checked;
          onChange("comment:" + id, Object.assign({}, c));
        });
        vis.append(box, " " + T.visible);
        const del = document.createElement("button");
        del.type = "button"; del.className = "link small"; del.textContent = T["delete"];
        del.addEventListener("click", () => {
          comments.delete(id);
          render();
          onChange("comment:" + id, null);
        });
        li.append(vis, del);
      } else if (c.visible) {
        const badge = document.createElement("span");
        badge.className = "badge"; badge.textContent = T.visible;
        li.append(badge);
      }
      list.append(li);
    });
    $("#comment-empty").hidden = comments.size > 0;
    const preview = $("#preview-comments");  // what the activist will see of them
    if (preview) {
      const shown = Array.from(comments.values()).filter((c) => c.visible).length;
      preview.textContent = fill(T.preview_comments, { n: shown });
    }
  }

  if (input) {
    input.addEventListener("input", () => { if (video.pause()) resumeAfter = true; });  // typing pauses
    input.addEventListener("keydown", (e) => {
      if (e.key !== "Enter" || e.ctrlKey || e.metaKey || e.isComposing) return;
      e.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      const id = randomId();
      const c = { at: video.now(), text, visible: visibleBox ? visibleBox.checked : false };
      comments.set(id, c);
      input.value = "";
      render();
      onChange("comment:" + id, Object.assign({}, c));
      if (resumeAfter) video.play();
      resumeAfter = false;
    });
  }
  render();

  return {
    input,
    owns: (field) => field.startsWith("comment:"),
    read(field) {
      const c = comments.get(field.slice(8));
      return c ? Object.assign({}, c) : null;
    },
    apply(field, value) {
      const id = field.slice(8);
      if (value) comments.set(id, { at: value.at, text: value.text, visible: !!value.visible });
      else comments.delete(id);
      render();
    },
    label(field, value) {
      const c = value || comments.get(field.slice(8));
      return T.comment_at + (c ? " " + clock(c.at) : "");
    },
  };
}
