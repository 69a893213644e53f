/* Huibao page helpers shared by every page script (native ES module, no build step):
 * $/$$, the CSRF token, fetch with JSON errors, text filling, clock and size formatting. */

export const $ = (sel, root) => (root || document).querySelector(sel);
export const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
export const byId = (id) => document.getElementById(id);

/** Parse the JSON a template left in <script type="application/json" id="...">. */
export function readJSON(id, fallback) {
  const el = byId(id);
  return el ? JSON.parse(el.textContent) : fallback;
}

export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

/** True when keys typed now go into a text field (shortcuts must leave them alone). */
export function typing(el) {
  return !!el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
}

export function show(el, on) { if (el) el.hidden = !on; }

/** Fill "%(name)s" (gettext) and "{name}" placeholders. */
export function fill(text, values) {
  return String(text == null ? "" : text)
    .replace(/%\((\w+)\)s/g, (m, k) => (values && values[k] != null ? values[k] : m))
    .replace(/\{(\w+)\}/g, (m, k) => (values && values[k] != null ? values[k] : m));
}

/** 75.4 -> "01:15". */
export function clock(sec) {
  sec = Math.max(0, Math.floor(sec || 0));
  const m = Math.floor(sec / 60), s = sec % 60;
  return String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
}

/** 1536000 -> "1.5 MB"; from 1 GiB on in GB. */
export function megabytes(bytes) {
  return bytes >= 1073741824 ? (bytes / 1073741824).toFixed(1) + " GB"
    : (bytes / 1048576).toFixed(1) + " MB";
}

export function timeNow() {
  return new Date().toLocaleTimeString("zh-CN", { hour12: false });
}

/** A random id for something the page creates (comments, a tab), also without crypto.randomUUID
 * (that needs a secure context; a school intranet on plain http has none). */
export function randomId() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** fetch() with JSON in and out; never throws. Resolves to {ok, status, data, message}:
 * status 0 is a network failure, message is the server's Chinese error text or the fallback. */
export function requestJSON(url, { method = "POST", body, keepalive = false, headers = {},
                                   fallback = "", offline = "" } = {}) {
  const init = {
    method, credentials: "same-origin", keepalive,
    headers: Object.assign({ Accept: "application/json", "X-CSRFToken": csrfToken() }, headers),
  };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
    if (keepalive && init.body.length > 60000) init.keepalive = false;  // the browser's 64 KB cap
  }
  return fetch(url, init).then(
    (resp) => resp.json().catch(() => ({})).then((data) => ({
      ok: resp.ok, status: resp.status, data,
      message: (data && data.error && data.error.message) || fallback || String(resp.status),
    })),
    () => ({ ok: false, status: 0, data: {}, message: offline || fallback }),
  );
}

/** Read and write JSON in localStorage / sessionStorage; private mode and full disks are not
 * errors (the page still works, only without the copy). */
export function stored(storage, key, fallback) {
  try {
    const raw = storage.getItem(key);
    return raw == null ? fallback : JSON.parse(raw);
  } catch (err) {
    return fallback;
  }
}

export function store(storage, key, value) {
  try {
    if (value == null) storage.removeItem(key); else storage.setItem(key, JSON.stringify(value));
    return true;
  } catch (err) {
    return false;
  }
}
