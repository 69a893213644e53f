/* Huibao activist report page, part 1: check the video on the phone and upload it (tus).
 * Part 2 (activist-status.js) follows processing live and seeks the player. No build step. */
import { byId as $, csrfToken, fill as fmt, megabytes as mb, show } from "./lib.js";
import { status } from "./activist-status.js";
{

  var configEl = $("activist-config");
  var cfg = configEl ? JSON.parse(configEl.textContent) : { texts: {} };
  var T = cfg.texts || {};



  function duration(seconds) {
    var s = Math.round(seconds);
    if (s < 60) return fmt(T.seconds, { s: s });
    if (s % 60 === 0) return fmt(T.minutesOnly, { m: s / 60 });
    return fmt(T.minutes, { m: Math.floor(s / 60), s: s % 60 });
  }



  /* ---- choosing and checking a video ---- */
  var chosen = null, upload = null;
  var VIDEO_EXT = /\.(mp4|mov|m4v|3gp|3gpp|webm|mkv|avi|mpe?g)$/i;

  function problem(message) {
    var box = $("video-check");
    box.className = "alert alert-danger";
    box.textContent = message;
    show(box, true);
    show($("upload-start"), false);
    chosen = null;
  }

  function note(message) {
    var box = $("video-check");
    box.className = "alert alert-info";
    box.textContent = message;
    show(box, !!message);
  }

  function readDuration(file, preview) {
    return new Promise(function (resolve) {
      var url = URL.createObjectURL(file), done = false;
      function finish(value) { if (!done) { done = true; resolve(value); } }
      preview.onloadedmetadata = function () {
        finish(isFinite(preview.duration) && preview.duration > 0 ? preview.duration : null);
      };
      preview.onerror = function () { finish(null); };
      setTimeout(function () { finish(null); }, 8000);
      preview.src = url;
      preview.load();
    });
  }

  /* The first bytes of the file, not its name: a .txt renamed .mp4 is refused before uploading.
   * MP4/MOV/3GP ("ftyp" or an old QuickTime atom at 4), WebM/MKV (EBML), AVI, MPEG-PS/TS. */
  function looksLikeVideo(file) {
    return file.slice(0, 192).arrayBuffer().then(function (buf) {
      var b = new Uint8Array(buf), at = function (i, text) {
        for (var k = 0; k < text.length; k++) if (b[i + k] !== text.charCodeAt(k)) return false;
        return true;
      };
      return ["ftyp", "moov", "mdat", "free", "wide", "skip"].some(function (box) { return at(4, box); }) ||
        (b[0] === 0x1A && b[1] === 0x45 && b[2] === 0xDF && b[3] === 0xA3) ||
        (at(0, "RIFF") && at(8, "AVI ")) ||
        (b[0] === 0 && b[1] === 0 && b[2] === 1 && (b[3] === 0xBA || b[3] === 0xB3)) ||
        (b[0] === 0x47 && b[188] === 0x47);
    }, function () { return true; });  // unreadable here: the server checks it anyway
  }

  function choose(file) {
    if (!file) return;
    if (upload) return;  // one upload at a time
    var preview = $("preview");
    show($("video-check"), false);
    show($("file-info"), false);
    show($("video-error"), false);  // a new file: the last video's failure no longer applies
    if (!(file.type && file.type.indexOf("video/") === 0) && !(!file.type && VIDEO_EXT.test(file.name))) {
      show(preview, false);
      return problem(T.notVideo);
    }
    if (file.size === 0) return problem(T.empty);
    if (file.size > cfg.maxBytes) return problem(fmt(T.tooLarge, { size: mb(file.size), max: mb(cfg.maxBytes) }));
    note(T.checking);
    looksLikeVideo(file).then(function (ok) {
      if (!ok) { show(preview, false); return problem(T.notVideo); }
      return checkLength(file, preview);
    });
  }

  function checkLength(file, preview) {
    readDuration(file, preview).then(function (seconds) {
      if (seconds != null && seconds < cfg.minDuration) {
        show(preview, true);
        return problem(fmt(T.tooShort, { d: duration(seconds), min: duration(cfg.minDuration) }));
      }
      if (seconds != null && seconds > cfg.maxDuration) {
        show(preview, true);
        return problem(fmt(T.tooLong, { d: duration(seconds), max: duration(cfg.maxDuration) }));
      }
      note(seconds == null ? T.unknownDuration : "");
      show(preview, seconds != null);
      var info = $("file-info");
      info.textContent = seconds == null ? fmt(T.fileInfoNoDuration, { name: file.name, size: mb(file.size) })
        : fmt(T.fileInfo, { name: file.name, size: mb(file.size), d: duration(seconds) });
      show(info, true);
      chosen = file;
      show($("upload-start"), true);
    });
  }

  // Submitting freezes the version: ask, saying what will be frozen.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (!window.confirm(form.getAttribute("data-confirm"))) e.preventDefault();
    });
  });

  ["video-record", "video-pick"].forEach(function (id) {
    var input = $(id);
    if (input) input.addEventListener("change", function () { choose(input.files && input.files[0]); });
  });

  /* ---- uploading ---- */
  function setBar(percent) {
    $("upload-bar").style.width = percent + "%";
    $("upload-percent").textContent = percent + "%";
    document.querySelector("#upload-progress .bar").setAttribute("aria-valuenow", percent);
  }

  function startUpload() {
    if (!chosen || upload) return;
    var file = chosen;
    show($("upload-start"), false);
    show($("upload-progress"), true);
    show($("upload-retry"), false);
    show($("upload-cancel"), true);
    show($("resume-note"), false);
    ["video-record", "video-pick"].forEach(function (id) { $(id).disabled = true; });
    var message = $("upload-message"), resumedAt = 0;
    upload = new window.HuibaoTus.Upload(file, {
      endpoint: cfg.endpoint,
      chunkSize: cfg.chunkSize,
      metadata: { filename: file.name, filetype: file.type || "", period: String(cfg.periodId) },
      headers: function () { return { "X-CSRFToken": csrfToken() }; },
      onProgress: function (sent, total, speed) {
        setBar(Math.floor(100 * sent / total));
        var state = fmt(T.uploadingState, { p: Math.floor(100 * sent / total) });
        status.setReport("uploading", state, T.uploading);
        status.setVideoState("uploading", state);
        $("upload-speed").textContent = speed > 0 ? mb(speed) + "/s" : "";
      },
      onStatus: function (name, info) {
        document.body.setAttribute("data-upload", name);
        if (name === "creating") message.textContent = T.creating;
        else if (name === "resumed") {
          resumedAt = Date.now();
          setBar(Math.floor(100 * info.offset / file.size));
          message.textContent = fmt(T.resumed, { p: Math.floor(100 * info.offset / file.size) + "%" });
        } else if (name === "uploading") {
          if (Date.now() - resumedAt > 4000) message.textContent = T.uploading;
        } else if (name === "retrying") {
          message.textContent = fmt(T.retrying, { s: Math.round(info.delay / 1000) });
          $("upload-speed").textContent = "";
        } else if (name === "offline") {
          message.textContent = T.offline;
          $("upload-speed").textContent = "";
        }
      },
      onSuccess: function () {
        document.body.setAttribute("data-upload", "done");
        setBar(100);
        message.textContent = T.done;
        show($("upload-cancel"), false);
        $("upload-speed").textContent = "";
        upload = null;
        setTimeout(resetUploader, 1500);
        status.setReport("processing", fmt(T.processing, { p: 0 }), T.processingDetail);
        status.setVideoState("processing", fmt(T.processing, { p: 0 }));
        show($("processing-bar"), true);
        $("video-detail").textContent = T.processingDetail;
        show($("video-error"), false);
        $("ready-slot").innerHTML = "";
        status.poll(true);
      },
      onError: function (err) {
        document.body.setAttribute("data-upload", "error");
        var text = err.status === 0 ? T.networkGiveUp : fmt(T.stopped, { msg: err.message });
        message.textContent = text;
        show($("upload-retry"), err.retryable || err.status === 0);
        if (!(err.retryable || err.status === 0)) { upload = null; unlockPickers(); }
      }
    });
    upload.start();
  }

  function resetUploader() {
    var preview = $("preview");
    preview.pause();
    preview.removeAttribute("src");
    preview.load();
    [preview, $("file-info"), $("upload-start"), $("upload-progress"), $("video-check")]
      .forEach(function (node) { show(node, false); });
    ["video-record", "video-pick"].forEach(function (id) { $(id).value = ""; });
    chosen = null;
    setBar(0);
    unlockPickers();
  }

  function unlockPickers() {
    ["video-record", "video-pick"].forEach(function (id) { if ($(id)) $(id).disabled = false; });
  }

  if ($("upload-start")) {
    $("upload-start").addEventListener("click", startUpload);
    $("upload-retry").addEventListener("click", function () {
      if (!upload) return;
      show($("upload-retry"), false);
      upload.start();
    });
    $("upload-cancel").addEventListener("click", function () {
      if (!upload) { show($("upload-progress"), false); return; }
      var current = upload;
      upload = null;
      current.abort(true).then(function () {
        document.body.setAttribute("data-upload", "cancelled");
        $("upload-message").textContent = T.cancelled;
        show($("upload-cancel"), false);
        show($("upload-retry"), false);
        setBar(0);
        unlockPickers();
      });
    });
    var left = window.HuibaoTus.pending(null, null, cfg.periodId);
    if (left.length) {
      var item = left[0], box = $("resume-note");
      fetch(item.url, { method: "HEAD", headers: { "Tus-Resumable": "1.0.0" }, credentials: "same-origin" })
        .then(function (resp) {
          if (resp.status !== 200) { localStorage.removeItem(item.key); return; }
          var offset = parseInt(resp.headers.get("Upload-Offset"), 10) || 0;
          box.textContent = fmt(T.resumeNote, { p: Math.floor(100 * offset / item.size) + "%" }) +
            " (" + item.name + ")";
          show(box, true);
        }).catch(function () { /* offline: say nothing */ });
    }
  }

}
