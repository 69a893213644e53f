"""Fault tests: a killed worker or a flushed Redis never loses an uploaded video."""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta

import pytest
from redis import Redis

from review import clock
from review.models import VideoState
from review.services import pipeline
from tests.fixtures.pipeline import reload_video, run_jobs, worker_process

pytestmark = pytest.mark.slow
LATER = timedelta(hours=2)


def _wait_for(predicate, video_id: int, timeout: float = 300):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        video = reload_video(video_id)
        if predicate(video):
            return video
        time.sleep(0.2)
    raise AssertionError(f"timed out; video is {video.state}/{video.stage} {video.progress}")


def _kill(proc) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def _recover(app, video_id: int):
    counts = pipeline.reconcile(at=clock.now() + LATER)
    assert counts["requeued"] == 1
    run_jobs(app)
    return reload_video(video_id)


def test_redis_flushed_after_upload(app, ingest, h264_clip, redis_url):
    video_id = ingest(h264_clip)
    Redis.from_url(redis_url).flushdb()  # the queued jobs are gone
    run_jobs(app)
    assert reload_video(video_id).state == VideoState.UPLOADED.value
    assert pipeline.reconcile()["requeued"] == 0  # not yet past its deadline
    video = _recover(app, video_id)
    assert video.state == VideoState.READY.value


@pytest.mark.committed_db  # the worker process reads the data
def test_worker_killed_mid_transcode(app, ingest, mpeg4_clip):
    video_id = ingest(mpeg4_clip)
    proc = worker_process(app, "media", "asr", "default")
    try:
        _wait_for(
            lambda v: v.progress.get("transcode", 0) > 0 and v.state == "processing", video_id
        )
    finally:
        _kill(proc)
    video = reload_video(video_id)
    assert (video.state, video.stage, video.transcoded) == ("processing", "transcode", False)
    video = _recover(app, video_id)
    assert video.state == VideoState.READY.value, (video.error_code, video.error_detail)
    assert video.transcoded and video.attempts == 1


@pytest.mark.committed_db  # the worker process reads the data
def test_worker_killed_mid_transcribe(app, ingest, oath_clip):
    video_id = ingest(oath_clip)
    proc = worker_process(app, "media", "asr", "default")
    try:
        _wait_for(lambda v: v.stage == "transcribe" and v.state == "processing", video_id)
        time.sleep(1.0)
    finally:
        _kill(proc)
    assert reload_video(video_id).transcript_engine is None
    video = _recover(app, video_id)
    assert video.state == VideoState.READY.value, (video.error_code, video.error_detail)
    assert "中国共产党" in "".join(s.text for s in video.segments)


def test_out_of_retries_fails_with_reason(app, ingest, h264_clip, redis_url):
    video_id = ingest(h264_clip)
    app.config["MAX_ATTEMPTS"] = 2
    for _ in range(3):
        Redis.from_url(redis_url).flushdb()
        pipeline.reconcile(at=clock.now() + LATER)
    video = reload_video(video_id)
    assert (video.state, video.error_code) == (VideoState.FAILED.value, "retries_exhausted")
