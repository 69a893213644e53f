/* Reviewer workspace: player, synced transcript, rubric by keyboard, autosave. Plain JS, no build. */
(function () {
  "use strict";

  function typing(el) {
    return !!el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  var stateEl = document.getElementById("review-state");
  if (!stateEl) {  // the queue: N opens the next ungraded submission
    document.addEventListener("keydown", function (e) {
      var next = document.getElementById("next-ungraded");
      if (next && !typing(e.target) && !e.ctrlKey && !e.metaKey && !e.altKey &&
          (e.key === "n" || e.key === "N")) {
        e.preventDefault();
        next.click();
      }
    });
    return;
  }

  var S = JSON.parse(stateEl.textContent);
  var T = JSON.parse(document.getElementById("review-text").textContent);
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var $$ = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };
  var player = $("#player");
  var segEls = $$("#segments .seg");
  var criteria = $$(".criterion");
  var comments = S.comments.slice();
  var revision = S.revision, dirty = false, saving = null, stopped = !S.editable;
  var statusEl = $("#save-status");

  function fmt(sec) {
    sec = Math.max(0, Math.floor(sec || 0));
    var m = Math.floor(sec / 60), s = sec % 60;
    return (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }
  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, k) { return values[k]; });
  }
  function setStatus(text, bad) {
    statusEl.textContent = text;
    statusEl.classList.toggle("bad", !!bad);
  }

  /* -- player -------------------------------------------------------------------------- */
  function seek(to) {
    if (!player) return;
    player.currentTime = Math.max(0, Math.min(to, player.duration || to));
  }
  function togglePlay() {
    if (!player) return;
    if (player.paused) { player.play().catch(function () {}); } else { player.pause(); }
  }
  function toggleFullscreen() {
    var stage = $("#video-stage");
    if (document.fullscreenElement) { document.exitFullscreen(); }
    else if (stage && stage.requestFullscreen) { stage.requestFullscreen(); }  // keeps the watermark
  }
  function seekFromUrl() {  // ?t=12.5 from search results, #t=12.5 from analysis hints
    var m = /[?&#]t=([0-9.]+)/.exec(location.search + location.hash);
    if (m) seek(parseFloat(m[1]));
  }
  if (player) {
    player.addEventListener("loadedmetadata", seekFromUrl, { once: true });
    window.addEventListener("hashchange", seekFromUrl);
    $("#speed").addEventListener("change", function (e) { player.playbackRate = parseFloat(e.target.value); });
    $("#captions-on").addEventListener("change", function (e) {
      if (player.textTracks[0]) player.textTracks[0].mode = e.target.checked ? "showing" : "hidden";
    });
    $("#fullscreen").addEventListener("click", toggleFullscreen);
    player.addEventListener("dblclick", function (e) { e.preventDefault(); toggleFullscreen(); });
    player.addEventListener("timeupdate", syncTranscript);
    player.addEventListener("loadedmetadata", syncTranscript);
    player.addEventListener("seeked", syncTranscript);
  }
  $$(".rv-stage").forEach(function (stage) {
    stage.addEventListener("contextmenu", function (e) { e.preventDefault(); });
    stage.addEventListener("dragstart", function (e) { e.preventDefault(); });
  });

  /* -- transcript ---------------------------------------------------------------------- */
  var activeSeg = -1;
  function segmentAt(t) {
    for (var i = segEls.length - 1; i >= 0; i--) {
      if (t >= parseFloat(segEls[i].dataset.start) - 0.05) return i;
    }
    return segEls.length ? 0 : -1;
  }
  function syncTranscript() {
    $("#clock").textContent = fmt(player.currentTime) + " / " + fmt(player.duration);
    var i = segmentAt(player.currentTime);
    if (i === activeSeg) return;
    if (activeSeg >= 0) segEls[activeSeg].classList.remove("playing");
    activeSeg = i;
    if (i >= 0) {
      segEls[i].classList.add("playing");
      segEls[i].scrollIntoView({block: "nearest"});
    }
  }
  function stepSegment(delta) {
    if (!segEls.length) return;
    var i = player ? segmentAt(player.currentTime) : activeSeg;
    i = Math.max(0, Math.min(segEls.length - 1, i + delta));
    seek(parseFloat(segEls[i].dataset.start) + 0.01);
  }
  segEls.forEach(function (li) {
    li.querySelector(".seg-time").addEventListener("click", function () { seek(parseFloat(li.dataset.start) + 0.01); });
    li.querySelector(".seg-text").addEventListener("click", function () {
      if (!li.classList.contains("editing")) seek(parseFloat(li.dataset.start) + 0.01);
    });
    var edit = li.querySelector(".seg-edit");
    if (edit) edit.addEventListener("click", function () { editSegment(li); });
  });
  function editSegment(li) {
    if (li.classList.contains("editing")) return;
    var span = li.querySelector(".seg-text");
    var box = document.createElement("textarea");
    box.className = "seg-box";
    box.value = span.textContent;
    box.rows = 2;
    li.classList.add("editing");
    span.after(box);
    box.focus();
    function close() { box.remove(); li.classList.remove("editing"); }
    box.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); close(); }
      if (e.key === "Enter" && !e.ctrlKey && !e.shiftKey) {
        e.preventDefault();
        var text = box.value.trim();
        if (!text) { setStatus(T.empty_seg, true); return; }
        post(S.urls.segment.replace(/\/0$/, "/" + li.dataset.id), {text: text}).then(function (r) {
          if (!r.ok) { setStatus(r.message, true); return; }
          span.textContent = r.data.text;
          li.classList.toggle("corrected", r.data.corrected);
          li.querySelector(".seg-badge").hidden = !r.data.corrected;
          close();
        });
      }
    });
  }

  /* -- time-coded comments ------------------------------------------------------------- */
  var input = $("#comment-input"), resumeAfter = false;
  function renderComments() {
    var list = $("#comment-list");
    list.innerHTML = "";
    comments.sort(function (a, b) { return a.at - b.at; });
    comments.forEach(function (c, i) {
      var li = document.createElement("li");
      var at = document.createElement("button");
      at.type = "button"; at.className = "at"; at.tabIndex = -1; at.textContent = fmt(c.at);
      at.addEventListener("click", function () { seek(c.at); });
      var text = document.createElement("span");
      text.className = "text"; text.textContent = c.text;
      li.append(at, text);
      if (S.editable) {
        var vis = document.createElement("label");
        vis.className = "inline-field small";
        var box = document.createElement("input");
        box.type = "checkbox"; box.checked = !!c.visible; box.tabIndex = -1;
        box.addEventListener("change", function () { c.visible = box.checked; changed(); });
        vis.append(box, " " + T.visible);
        var del = document.createElement("button");
        del.type = "button"; del.className = "link small"; del.tabIndex = -1; del.textContent = T["delete"];
        del.addEventListener("click", function () { comments.splice(i, 1); renderComments(); changed(); });
        li.append(vis, del);
      } else if (c.visible) {
        var badge = document.createElement("span");
        badge.className = "badge"; badge.textContent = T.visible;
        li.append(badge);
      }
      list.append(li);
    });
    $("#comment-empty").hidden = comments.length > 0;
  }
  if (input) {
    input.addEventListener("input", function () {
      if (player && !player.paused) { resumeAfter = true; player.pause(); }  // typing pauses
    });
    input.addEventListener("keydown", function (e) {
      if (e.key !== "Enter" || e.ctrlKey || e.metaKey || e.isComposing) return;
      e.preventDefault();
      var text = input.value.trim();
      if (!text) return;
      comments.push({at: player ? Math.round(player.currentTime * 100) / 100 : 0, text: text,
                     visible: $("#comment-visible").checked});
      input.value = "";
      renderComments();
      changed();
      if (resumeAfter && player) player.play().catch(function () {});
      resumeAfter = false;
    });
  }
  renderComments();

  /* -- rubric -------------------------------------------------------------------------- */
  var active = 0;
  function pointsOf(fs) { return $(".points-input", fs); }
  function checkPoints(fs) {
    var el = pointsOf(fs), raw = el.value.trim(), max = parseFloat(fs.dataset.max);
    var bad = raw !== "" && (!/^\d+(\.\d+)?$/.test(raw) || parseFloat(raw) > max);
    el.classList.toggle("invalid", bad);
    fs.classList.toggle("scored", raw !== "" && !bad);
    return bad ? fill(T.too_high, {title: $("legend", fs).textContent.replace(/^\d+\.\s*/, ""), max: fs.dataset.max}) : null;
  }
  function updateTotal() {
    var total = 0;
    criteria.forEach(function (fs) {
      var v = parseFloat(pointsOf(fs).value);
      if (!isNaN(v) && !pointsOf(fs).classList.contains("invalid")) total += v;
    });
    $("#total").textContent = Math.round(total * 100) / 100;
  }
  function setActive(i) {
    active = Math.max(0, Math.min(criteria.length - 1, i));
    criteria.forEach(function (fs, j) { fs.classList.toggle("active", j === active); });
  }
  criteria.forEach(function (fs, i) {
    fs.addEventListener("focusin", function () { setActive(i); });
    var el = pointsOf(fs);
    el.addEventListener("input", function () {
      var problem = checkPoints(fs);
      showError(problem);
      updateTotal();
      changed();
    });
    el.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.ctrlKey && !e.metaKey) {
        e.preventDefault();
        var next = criteria[i + 1];
        (next ? pointsOf(next) : $("#overall")).focus();
      }
    });
    $(".note-input", fs).addEventListener("input", changed);
    checkPoints(fs);
  });
  var overall = $("#overall");
  if (overall) overall.addEventListener("input", changed);
  updateTotal();
  setActive(Math.max(0, criteria.findIndex(function (fs) { return !fs.classList.contains("scored"); })));

  function showError(text) {
    var box = $("#form-error");
    box.hidden = !text;
    box.textContent = text || "";
  }
  function typeDigit(digit) {
    if (!S.editable || !criteria.length) return;
    var el = pointsOf(criteria[active]);
    el.focus();
    el.value = digit;
    el.dispatchEvent(new Event("input"));
  }

  /* -- autosave ------------------------------------------------------------------------ */
  function payload() {
    var scores = {};
    criteria.forEach(function (fs) {
      var raw = pointsOf(fs).value.trim();
      scores[fs.dataset.criterion] = {points: raw === "" ? null : raw, note: $(".note-input", fs).value};
    });
    return {review_id: S.review_id, revision: revision, scores: scores,
            overall_comment: overall ? overall.value : "", comments: comments};
  }
  function post(url, body, keepalive) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", keepalive: !!keepalive,
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify(body)
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) {
        var message = data.error && data.error.message;
        return {ok: resp.ok, status: resp.status, data: data, message: message || T.error};
      });
    }, function () { return {ok: false, status: 0, data: {}, message: T.offline}; });
  }
  function changed() {
    if (!S.editable || stopped) return;
    dirty = true;
  }
  function stop(message) {
    stopped = true;
    var box = $("#conflict");
    box.textContent = message;
    box.hidden = false;
    setStatus(T.conflict_readonly, true);
  }
  function save(keepalive) {
    if (stopped || !dirty) return saving || Promise.resolve();
    if (saving) return saving.then(function () { return save(keepalive); });
    dirty = false;
    setStatus(T.saving);
    saving = post(S.urls.save, payload(), keepalive).then(function (r) {
      saving = null;
      if (r.ok) {
        revision = r.data.revision;
        setStatus(fill(T.saved, {time: new Date().toLocaleTimeString("zh-CN", {hour12: false})}));
      } else if (r.status === 409) {
        stop(r.message);
      } else {
        dirty = true;
        setStatus(r.status === 0 ? T.offline : fill(T.retry, {reason: r.message}), true);
      }
    });
    return saving;
  }
  if (S.editable) {
    setInterval(save, 3000);
    document.addEventListener("focusout", function () { save(); });
    document.addEventListener("visibilitychange", function () { if (document.hidden) save(true); });
    window.addEventListener("pagehide", function () { save(true); });
  }

  function submitReview() {
    if (!S.editable || stopped) return;
    var missing = [], problem = null;
    criteria.forEach(function (fs) {
      problem = problem || checkPoints(fs);
      if (pointsOf(fs).value.trim() === "") missing.push($("legend", fs).textContent.replace(/^\d+\.\s*/, ""));
    });
    if (problem || missing.length) {
      showError(problem || fill(T.missing, {items: missing.join("、")}));
      var first = criteria.find(function (fs) { return pointsOf(fs).value.trim() === "" || pointsOf(fs).classList.contains("invalid"); });
      if (first) pointsOf(first).focus();
      return;
    }
    setStatus(T.submitting);
    Promise.resolve(save()).then(function () {
      if (stopped) return;
      stopped = true;  // no autosave may race the submit for the same revision
      return post(S.urls.submit, payload()).then(function (r) {
        if (r.ok) { window.location.assign(r.data.next_url); return; }
        if (r.status === 409) { stop(r.message); return; }
        stopped = false;
        dirty = true;
        showError(r.message);
        setStatus(r.message, true);
      });
    });
  }
  var submitBtn = $("#submit-review");
  if (submitBtn) submitBtn.addEventListener("click", submitReview);

  /* -- shortcuts ----------------------------------------------------------------------- */
  var overlay = $("#shortcuts");
  function toggleOverlay(show) { overlay.hidden = show === undefined ? !overlay.hidden : !show; }
  $("#shortcuts-btn").addEventListener("click", function () { toggleOverlay(); });
  overlay.addEventListener("click", function (e) { if (e.target === overlay) toggleOverlay(false); });

  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { e.preventDefault(); submitReview(); return; }
    if (e.key === "Escape") {
      if (!overlay.hidden) { toggleOverlay(false); } else if (typing(document.activeElement)) { document.activeElement.blur(); }
      return;
    }
    if (typing(e.target) || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
    var key = e.key;
    if (key === "?") { e.preventDefault(); toggleOverlay(); return; }
    if (!overlay.hidden) return;
    if (key === " ") { e.preventDefault(); togglePlay(); }
    else if (key === "ArrowLeft") { e.preventDefault(); if (player) seek(player.currentTime - 5); }
    else if (key === "ArrowRight") { e.preventDefault(); if (player) seek(player.currentTime + 5); }
    else if (key === "j" || key === "J") { e.preventDefault(); stepSegment(-1); }
    else if (key === "k" || key === "K") { e.preventDefault(); stepSegment(1); }
    else if ((key === "c" || key === "C") && input) { e.preventDefault(); input.focus(); }
    else if (key === "n" || key === "N") { e.preventDefault(); save().then(function () { window.location.assign(S.urls.next); }); }
    else if (/^[0-9]$/.test(key)) { e.preventDefault(); typeDigit(key); }
  });

  /* -- watermark: the viewer's name, ID and the time, always on ------------------------- */
  function stamp() {
    var now = new Date();
    var when = now.getFullYear() + "-" + ("0" + (now.getMonth() + 1)).slice(-2) + "-" +
      ("0" + now.getDate()).slice(-2) + " " + now.toLocaleTimeString("zh-CN", {hour12: false, hour: "2-digit", minute: "2-digit"});
    var text = S.watermark + " " + when;
    $$(".rv-stage").forEach(function (stage) {
      var mark = $(".watermark", stage);
      if (!mark) {
        mark = document.createElement("div");
        mark.className = "watermark";
        stage.append(mark);
      }
      mark.removeAttribute("style");
      mark.innerHTML = "";
      var count = Math.max(12, Math.ceil(stage.offsetWidth * stage.offsetHeight * 2.25 / (260 * 70)));
      for (var i = 0; i < Math.min(count, 600); i++) {
        var span = document.createElement("span");
        span.textContent = text;
        mark.append(span);
      }
    });
  }
  stamp();
  setInterval(stamp, 30000);
  $$(".paper-photo").forEach(function (img) { img.addEventListener("load", stamp); });
  window.addEventListener("resize", stamp);
  var guard = new MutationObserver(function (records) {
    var tampered = records.some(function (r) {
      return r.type === "attributes" ? r.target.classList.contains("watermark") :
        Array.prototype.some.call(r.removedNodes, function (n) { return n.classList && n.classList.contains("watermark"); });
    });
    if (tampered) {
      if (player) player.pause();
      guard.disconnect();
      stamp();
      observe();
    }
  });
  function observe() {
    $$(".rv-stage").forEach(function (stage) {
      guard.observe(stage, {childList: true, subtree: true, attributes: true, attributeFilter: ["style", "class", "hidden"]});
    });
  }
  observe();

  /* -- resizable panes ----------------------------------------------------------------- */
  var grid = $("#rv-grid");
  try {
    var saved = JSON.parse(localStorage.getItem("huibao.review.panes") || "null");
    if (saved) saved.forEach(function (w, i) { grid.style.setProperty("--pane" + i, w + "px"); });
  } catch (err) { /* private mode: default widths */ }
  $$(".rv-gutter").forEach(function (gutter) {
    gutter.addEventListener("pointerdown", function (e) {
      var pane = gutter.previousElementSibling, start = e.clientX, width = pane.getBoundingClientRect().width;
      gutter.setPointerCapture(e.pointerId);
      function move(ev) {
        var w = Math.max(220, Math.min(width + ev.clientX - start, grid.clientWidth - 560));
        grid.style.setProperty("--pane" + gutter.dataset.pane, w + "px");
      }
      function up() {
        gutter.removeEventListener("pointermove", move);
        gutter.removeEventListener("pointerup", up);
        var widths = $$(".rv-pane").slice(0, 2).map(function (p) { return Math.round(p.getBoundingClientRect().width); });
        try { localStorage.setItem("huibao.review.panes", JSON.stringify(widths)); } catch (err) { /* ignore */ }
      }
      gutter.addEventListener("pointermove", move);
      gutter.addEventListener("pointerup", up);
    });
  });
})();
