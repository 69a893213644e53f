/* Review page: time-coded comments. Each has an id made here, so saving it twice (a reload, a
 * keepalive flush, a retry) stores it once. Field "comment:<id>": {at, text, visible, criterion}
 * or null; `criterion` (a criterion id or null) colours its mark on the timeline. */
import { $, clock, fill, randomId } from "../lib.js";

const copy = (c) => ({ at: c.at, text: c.text, visible: !!c.visible, criterion: c.criterion == null ? null : c.criterion });

/** hooks: {changed(): the list changed (timeline marks), keep(text, criterionId): save as a phrase}. */
export function initComments(S, T, video, onChange, hooks) {
  const list = $("#comment-list");
  const input = $("#comment-input");
  const visibleBox = $("#comment-visible");
  const criterionBox = $("#comment-criterion");
  const comments = new Map(S.comments.map((c) => [c.id, copy(c)]));
  const indexOf = {};
  S.criteria.forEach((c) => { indexOf[c.id] = c.index; });
  let resumeAfter = false;

  function render() {
    list.innerHTML = "";
    const sorted = Array.from(comments.entries()).sort((a, b) => a[1].at - b[1].at);
    sorted.forEach(([id, c]) => {
      const li = document.createElement("li");
      li.dataset.id = id;
      li.className = "crit-" + (indexOf[c.criterion] || 0);
      const at = document.createElement("button");
      at.type = "button"; at.className = "at"; at.textContent = clock(c.at);
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
          onChange("comment:" + id, copy(c));
        });
        vis.append(box, " " + T.visible);
        const keep = document.createElement("button");
        keep.type = "button"; keep.className = "link small comment-keep"; keep.textContent = T.keep;
        keep.addEventListener("click", () => hooks.keep(c.text, c.criterion));
        const del = document.createElement("button");
        del.type = "button"; del.className = "link small"; del.textContent = T["delete"];
        del.addEventListener("click", () => {
          comments.delete(id);
          render();
          onChange("comment:" + id, null);
        });
        li.append(vis, keep, del);
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
    hooks.changed();
  }

  if (input) {
    input.addEventListener("input", () => { if (video.pause()) resumeAfter = true; });  // typing pauses
    input.addEventListener("keydown", (e) => {
      if (e.key !== "Enter" || e.ctrlKey || e.metaKey || e.isComposing) return;
      e.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      const id = randomId();
      const criterion = criterionBox && criterionBox.value ? parseInt(criterionBox.value, 10) : null;
      const c = { at: video.now(), text, visible: visibleBox ? visibleBox.checked : false, criterion };
      comments.set(id, c);
      input.value = "";
      render();
      onChange("comment:" + id, copy(c));
      if (resumeAfter) video.play();
      resumeAfter = false;
    });
  }
  render();

  return {
    input,
    /** The criterion the comment being typed is about (its id, or null). */
    criterion: () => (criterionBox && criterionBox.value ? parseInt(criterionBox.value, 10) : null),
    /** Every comment: [{at, text, criterion}], for the timeline. */
    all: () => Array.from(comments.values()),
    owns: (field) => field.startsWith("comment:"),
    read(field) {
      const c = comments.get(field.slice(8));
      return c ? copy(c) : null;
    },
    apply(field, value) {
      const id = field.slice(8);
      if (value) comments.set(id, copy(value));
      else comments.delete(id);
      render();
    },
    label(field, value) {
      const c = value || comments.get(field.slice(8));
      return T.comment_at + (c ? " " + clock(c.at) : "");
    },
  };
}
