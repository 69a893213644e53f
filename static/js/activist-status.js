/* Huibao activist pages, part 2: live processing status (polling with backoff, no reload), the
 * player and transcript once ready, and seeking from transcript lines and time-coded comments. */
import { byId as $, fill as fmt, show } from "./lib.js";

export const status = {};
{

  var configEl = $("activist-config");
  var cfg = configEl ? JSON.parse(configEl.textContent) : { texts: {} };
  var T = cfg.texts || {};



  /* ---- seeking: transcript lines and time-coded comments ---- */
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest("[data-seek]");
    var player = $("player");
    if (!btn || !player) return;
    player.currentTime = parseFloat(btn.getAttribute("data-seek")) || 0;
    player.scrollIntoView({ behavior: "smooth", block: "center" });
    var played = player.play();
    if (played && played.catch) played.catch(function () { /* autoplay refused: stays paused */ });
  });

  window.addEventListener("hashchange", function () {  // #t=12.5 links in the analysis hints
    var m = /#t=([0-9.]+)/.exec(location.hash), player = $("player");
    if (m && player) { player.currentTime = parseFloat(m[1]); player.scrollIntoView({ block: "center" }); }
  });

  /* ---- live processing status ---- */
  function setVideoState(key, text) {
    var badge = $("video-state");
    if (!badge) return;
    badge.className = "badge state-" + key;
    badge.textContent = text;
    $("video-status").setAttribute("data-state", key);
  }

  function percentOf(video) {
    if (video.state === "ready") return 100;
    var progress = video.progress || {}, weights = cfg.stepWeights || {}, total = 0, done = 0;
    Object.keys(weights).forEach(function (step) {
      if (step === "audio" && !(step in progress)) return;
      total += weights[step];
      done += weights[step] * (progress[step] || 0);
    });
    return total ? Math.min(99, Math.floor(100 * done / total)) : 0;
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var k in attrs || {}) node.setAttribute(k, attrs[k]);
    if (text != null) node.textContent = text;
    return node;
  }

  function mmss(t) {
    t = Math.floor(t);
    return String(Math.floor(t / 60)).padStart(2, "0") + ":" + String(t % 60).padStart(2, "0");
  }

  function renderReady(video) {
    var slot = $("ready-slot");
    slot.innerHTML = "";
    var player = el("video", { id: "player", "class": "player", controls: "", playsinline: "",
      preload: "metadata", src: cfg.playUrl.replace("/0/", "/" + video.id + "/") });
    player.setAttribute("poster", cfg.posterUrl.replace("/0/", "/" + video.id + "/"));
    slot.appendChild(player);
    (video.flags || []).forEach(function (flag) {
      if (["no_audio", "no_speech", "low_volume", "short_video"].indexOf(flag.code) < 0) return;
      slot.appendChild(el("div", { "class": "alert alert-warning flag" }, fmt(T.flag, { flag: flag.message })));
    });
    var transcript = video.transcript;
    if (transcript && transcript.segments.length) {
      var details = el("details", { "class": "transcript", id: "transcript", open: "" });
      details.appendChild(el("summary", {}, T.transcriptTitle));
      var list = el("ol", { "class": "segments" });
      transcript.segments.forEach(function (seg) {
        var li = el("li");
        li.appendChild(el("button", { type: "button", "class": "seek", "data-seek": seg.start }, mmss(seg.start)));
        li.appendChild(el("span", {}, seg.text));
        list.appendChild(li);
      });
      details.appendChild(list);
      slot.appendChild(details);
    } else if (transcript) {
      slot.appendChild(el("p", { "class": "muted", id: "transcript" }, T.noSpeech));
    }
  }

  function applySubmission(data) {
    var video = data.video;
    if (!video) return false;
    show($("processing-bar"), video.state === "uploaded" || video.state === "processing");
    if (video.state === "uploaded" || video.state === "processing") {
      var p = percentOf(video);
      setVideoState("processing", fmt(T.processing, { p: p }));
      $("processing-fill").style.width = p + "%";
      setReport("processing", fmt(T.processing, { p: p }), T.processingDetail);
      return false;
    }
    $("video-detail").textContent = "";
    if (video.state === "failed") {
      setVideoState("failed", T.failed);
      var box = $("video-error");
      box.textContent = video.error ? video.error.message : "";
      show(box, true);
      setReport("failed", T.failed, video.error ? video.error.message : "");
      return true;
    }
    setVideoState("ready", T.ready);
    renderReady(video);
    var check = $("check-video");
    if (check) check.className = "done";
    var redone = $("check-redo-video");  // a new video for a revision that asked for one
    if (redone) redone.className = "done";
    if (data.state === "draft" && cfg.hasPaper && !cfg.paperPending) {
      setReport("ready", T.canSubmit, T.readyDetail);
      if ($("submit-button")) $("submit-button").disabled = false;
    } else if (data.state === "draft") {
      setReport("draft", T.draft, T.draftDetail);
    }
    return true;
  }

  function setReport(key, text, detail) {
    var badge = $("report-state");
    if (!badge) return;
    badge.className = "badge state-" + key;
    badge.textContent = text;
    $("report-detail").textContent = detail || "";
  }

  var poller = {
    delay: 1000, timer: null, id: cfg.submissionId,
    start: function (fresh) {
      if (fresh) this.delay = 1000;
      clearTimeout(this.timer);
      this.timer = setTimeout(this.tick.bind(this), this.delay);
    },
    find: function () {
      var self = this;
      if (self.id) return Promise.resolve(self.id);
      return fetch(cfg.submissionsUrl + "?period=" + cfg.periodId, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (body) { self.id = body.submissions.length ? body.submissions[0].id : null; return self.id; });
    },
    tick: function () {
      var self = this;
      self.find().then(function (id) {
        if (!id) return false;
        return fetch(cfg.submissionsUrl + "/" + id, { credentials: "same-origin", cache: "no-store" })
          .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
          .then(applySubmission);
      }).then(function (finished) {
        if (finished) return;
        self.delay = Math.min(10000, self.delay * 1.5);
        self.start(false);
      }, function () {
        self.delay = Math.min(30000, self.delay * 2);
        self.start(false);
      });
    }
  };

  var state = $("video-status");
  if (state && state.getAttribute("data-state") === "processing") poller.start(true);
  status.setVideoState = setVideoState;
  status.setReport = setReport;
  status.poll = function (fresh) { poller.start(fresh); };
}
