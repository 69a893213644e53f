/* Huibao: a small tus 1.0.0 client (creation, core, termination, checksum) for the phone page.
 *
 * - uploads a File in chunks (PATCH) with XMLHttpRequest, so progress is reported inside a chunk;
 * - retries with backoff when the network drops (and at once when the browser comes back online),
 *   asking the server for its offset (HEAD) before each retry;
 * - remembers fingerprint -> upload URL in localStorage, so choosing the same file again after a
 *   reload or a phone sleep resumes where the server stopped;
 * - abort(true) cancels: the request stops and the upload is deleted on the server (DELETE).
 * No dependencies, no build step.  window.HuibaoTus.Upload(file, options).start()
 *
 * Why hand-written rather than tus-js-client (which the interop tests still run against this
 * server): tus-js-client 4.3.1 sends no Upload-Checksum, so a chunk corrupted on a flaky
 * phone network would be stored; it has no stall detection, so a PATCH that stops moving on
 * weak mobile data hangs instead of being aborted after stallTimeout and resumed; and its
 * browser build is 86.8 KB minified, 22.2 KB gzipped, against 13.0 KB / 4.1 KB for this whole file
 * (gzip -9, measured on node_modules/tus-js-client/dist/tus.min.js), which matters on a slow
 * first load inside WeChat. The protocol subset used here is small (creation, core,
 * termination, checksum) and tests/tus and tests/activist pin it.
 */
(function (global) {
  "use strict";

  var TUS_VERSION = "1.0.0";
  var RETRYABLE = { 0: 1, 408: 1, 409: 1, 423: 1, 429: 1, 460: 1, 500: 1, 502: 1, 503: 1, 504: 1, 507: 1 };

  function b64(text) {
    var bytes = new TextEncoder().encode(String(text));
    var bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin);
  }

  function encodeMetadata(meta) {
    return Object.keys(meta).filter(function (k) { return meta[k] != null; })
      .map(function (k) { return k + " " + b64(meta[k]); }).join(",");
  }

  function TusError(message, status, code, retryable) {
    var err = new Error(message);
    err.status = status; err.code = code || null; err.retryable = !!retryable;
    return err;
  }

  function serverMessage(xhr) {
    try { return JSON.parse(xhr.responseText).error; } catch (e) { return null; }
  }

  function Upload(file, options) {
    var o = {
      endpoint: "/api/v1/uploads/",
      chunkSize: 6 * 1024 * 1024,
      metadata: {},
      headers: {},
      retryDelays: [1000, 2000, 4000, 8000, 15000, 30000],
      maxRetries: 30,
      stallTimeout: 30000,
      checksum: true,
      storage: null,
      storagePrefix: "huibao-tus::",
      onProgress: null,
      onStatus: null,
      onSuccess: null,
      onError: null
    };
    for (var k in options || {}) o[k] = options[k];
    if (!o.storage) { try { o.storage = global.localStorage; } catch (e) { o.storage = null; } }
    this.file = file;
    this.options = o;
    this.url = null;
    this.offset = 0;
    this._xhr = null;
    this._timer = null;
    this._retries = 0;
    this._stopped = true;
    this._samples = [];
    this._wake = null;
    this._onlineHandler = this._wakeUp.bind(this);
  }

  Upload.prototype.fingerprint = function () {
    var f = this.file;
    return this.options.storagePrefix + [this.options.metadata.period || "", f.name, f.size,
      f.type, f.lastModified || 0].join("|");
  };

  Upload.prototype._remember = function () {
    var s = this.options.storage;
    if (!s) return;
    try {
      s.setItem(this.fingerprint(), JSON.stringify({ url: this.url, name: this.file.name,
        size: this.file.size, period: this.options.metadata.period || null, at: Date.now() }));
    } catch (e) { /* private mode or full: resuming after a reload is then impossible */ }
  };

  Upload.prototype._forget = function () {
    var s = this.options.storage;
    if (s) { try { s.removeItem(this.fingerprint()); } catch (e) { /* ignore */ } }
  };

  Upload.prototype._status = function (name, info) {
    if (this.options.onStatus) this.options.onStatus(name, info || {});
  };

  Upload.prototype._request = function (method, url, headers, body, onUpload) {
    var self = this;
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      self._xhr = xhr;
      xhr.open(method, url, true);
      var all = { "Tus-Resumable": TUS_VERSION };
      var extra = self.options.headers;
      if (typeof extra === "function") extra = extra();
      for (var h in extra) all[h] = extra[h];
      for (var h2 in headers) all[h2] = headers[h2];
      for (var name in all) xhr.setRequestHeader(name, all[name]);
      var stall = null;
      function armStall() {
        clearTimeout(stall);
        stall = setTimeout(function () { xhr.abort(); }, self.options.stallTimeout);
      }
      if (onUpload && xhr.upload) {
        xhr.upload.onprogress = function (ev) { armStall(); onUpload(ev.loaded); };
      }
      armStall();
      xhr.onload = function () { clearTimeout(stall); self._xhr = null; resolve(xhr); };
      xhr.onerror = xhr.onabort = xhr.ontimeout = function () {
        clearTimeout(stall); self._xhr = null;
        reject(TusError("network", 0, "network", true));
      };
      xhr.send(body == null ? null : body);
    });
  };

  Upload.prototype._fail = function (xhr, fallback) {
    var info = serverMessage(xhr) || {};
    return TusError(info.message || fallback, xhr.status, info.code, !!RETRYABLE[xhr.status]);
  };

  Upload.prototype._head = function () {
    var self = this;
    return this._request("HEAD", this.url, {}, null).then(function (xhr) {
      if (xhr.status === 200) {
        self.offset = parseInt(xhr.getResponseHeader("Upload-Offset"), 10) || 0;
        return true;
      }
      if (xhr.status === 404 || xhr.status === 410 || xhr.status === 403) return false;
      throw self._fail(xhr, "HEAD " + xhr.status);
    });
  };

  Upload.prototype._create = function () {
    var self = this;
    return this._request("POST", this.options.endpoint, {
      "Upload-Length": String(this.file.size),
      "Upload-Metadata": encodeMetadata(this.options.metadata)
    }, null).then(function (xhr) {
      if (xhr.status !== 201) throw self._fail(xhr, "POST " + xhr.status);
      self.url = new URL(xhr.getResponseHeader("Location"), global.location.href).href;
      self.offset = parseInt(xhr.getResponseHeader("Upload-Offset") || "0", 10);
      self._remember();
      self._status("created");
    });
  };

  Upload.prototype._open = function () {
    var self = this;
    if (this.url) {
      return this._head().then(function (ok) {
        if (!ok) return self._restart();
        self._status("resumed", { offset: self.offset });
      });
    }
    var saved = null;
    try { saved = this.options.storage && JSON.parse(this.options.storage.getItem(this.fingerprint())); }
    catch (e) { saved = null; }
    if (!saved || !saved.url) { this._status("creating"); return this._create(); }
    this.url = saved.url;
    return this._head().then(function (ok) {
      if (!ok) return self._restart();
      self._status("resumed", { offset: self.offset });
    });
  };

  Upload.prototype._restart = function () {
    this._forget();
    this.url = null;
    this.offset = 0;
    this._status("creating");
    return this._create();
  };

  Upload.prototype._digest = function (blob) {
    if (!this.options.checksum || !(global.crypto && global.crypto.subtle) || !blob.arrayBuffer) {
      return Promise.resolve({ body: blob, header: null });
    }
    return blob.arrayBuffer().then(function (buf) {
      return global.crypto.subtle.digest("SHA-1", buf).then(function (hash) {
        var bytes = new Uint8Array(hash), bin = "";
        for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
        return { body: buf, header: "sha1 " + btoa(bin) };
      });
    });
  };

  Upload.prototype._progress = function (sent) {
    var now = Date.now(), samples = this._samples;
    samples.push([now, sent]);
    while (samples.length > 2 && now - samples[0][0] > 5000) samples.shift();
    var first = samples[0], speed = 0;
    if (now > first[0]) speed = Math.max(0, (sent - first[1]) * 1000 / (now - first[0]));
    if (this.options.onProgress) this.options.onProgress(sent, this.file.size, speed);
  };

  Upload.prototype._patchLoop = function () {
    var self = this;
    if (this._stopped) return Promise.resolve();
    if (this.offset >= this.file.size) return Promise.resolve();
    var start = this.offset, end = Math.min(start + this.options.chunkSize, this.file.size);
    return this._digest(this.file.slice(start, end)).then(function (chunk) {
      if (self._stopped) return null;
      var headers = { "Upload-Offset": String(start), "Content-Type": "application/offset+octet-stream" };
      if (chunk.header) headers["Upload-Checksum"] = chunk.header;
      self._status("uploading");
      return self._request("PATCH", self.url, headers, chunk.body, function (loaded) {
        self._progress(start + loaded);
      });
    }).then(function (xhr) {
      if (!xhr) return null;
      if (xhr.status !== 204) throw self._fail(xhr, "PATCH " + xhr.status);
      self.offset = parseInt(xhr.getResponseHeader("Upload-Offset"), 10);
      self._retries = 0;
      self._progress(self.offset);
      return self._patchLoop();
    });
  };

  Upload.prototype._wakeUp = function () {
    if (this._wake) { var wake = this._wake; this._wake = null; clearTimeout(this._timer); wake(); }
  };

  Upload.prototype._wait = function (ms) {
    var self = this;
    return new Promise(function (resolve) {
      self._wake = resolve;
      self._timer = setTimeout(function () { self._wake = null; resolve(); }, ms);
    });
  };

  Upload.prototype._attempt = function () {
    var self = this;
    return this._open().then(function () { return self._patchLoop(); }).then(function () {
      if (self._stopped) return;
      self._stopped = true;
      self._forget();
      self._detach();
      self._status("done");
      if (self.options.onSuccess) self.options.onSuccess(self.url);
    }, function (err) {
      if (self._stopped) return;
      if (err.status === 404 || err.status === 410) {  // expired or cancelled elsewhere
        self._forget(); self.url = null;
        if (self._retries++ < 1) return self._attempt();
      }
      if (!err.retryable || self._retries >= self.options.maxRetries) {
        self._stopped = true;
        self._detach();
        if (self.options.onError) self.options.onError(err);
        return;
      }
      var delays = self.options.retryDelays;
      var delay = delays[Math.min(self._retries, delays.length - 1)];
      self._retries++;
      var offline = global.navigator && global.navigator.onLine === false;
      self._status(offline ? "offline" : "retrying", { delay: delay, attempt: self._retries, error: err });
      return self._wait(offline ? 60000 : delay).then(function () {
        if (!self._stopped) return self._attempt();
      });
    });
  };

  Upload.prototype._detach = function () {
    global.removeEventListener("online", this._onlineHandler);
    global.document && global.document.removeEventListener("visibilitychange", this._onlineHandler);
  };

  /* Start or resume the upload. */
  Upload.prototype.start = function () {
    if (!this._stopped) return;
    this._stopped = false;
    this._retries = 0;
    this._samples = [];
    global.addEventListener("online", this._onlineHandler);
    if (global.document) global.document.addEventListener("visibilitychange", this._onlineHandler);
    this._attempt();
  };

  /* Stop sending; with terminate, also delete the upload on the server and forget it. */
  Upload.prototype.abort = function (terminate) {
    this._stopped = true;
    this._detach();
    clearTimeout(this._timer);
    this._wake = null;
    if (this._xhr) this._xhr.abort();
    if (!terminate) return Promise.resolve();
    this._forget();
    if (!this.url) return Promise.resolve();
    var url = this.url;
    this.url = null;
    var self = this;
    return this._request("DELETE", url, {}, null).catch(function () { /* expires on its own */ })
      .then(function () { self._xhr = null; });
  };

  /* Uploads this page left unfinished: [{key, url, name, size, period}]. */
  function pending(storage, prefix, period) {
    var out = [];
    prefix = prefix || "huibao-tus::";
    try {
      storage = storage || global.localStorage;
      for (var i = 0; i < storage.length; i++) {
        var key = storage.key(i);
        if (key.indexOf(prefix) !== 0) continue;
        var item = JSON.parse(storage.getItem(key));
        if (item && (period == null || String(item.period) === String(period))) {
          item.key = key; out.push(item);
        }
      }
    } catch (e) { /* no storage */ }
    return out;
  }

  global.HuibaoTus = { Upload: Upload, pending: pending, encodeMetadata: encodeMetadata,
    VERSION: TUS_VERSION };
})(window);
