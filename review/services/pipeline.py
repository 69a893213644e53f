"""The video pipeline's state machine; the database row is the only source of truth.

Steps: probe → audio (when there is sound) → fast path: transcribe, then transcode;
otherwise transcode and transcribe side by side.
Each step is an RQ job with a deterministic id per attempt; the reconciler re-enqueues a
video whose deadline passed and fails it with a Chinese reason once its budget is spent.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from redis.exceptions import RedisError
from rq import Retry
from sqlalchemy import or_, select

from media.asr import Segment
from review import storage
from review.clock import now
from review.extensions import db
from review.models import TranscriptChunk, TranscriptSegment, Video, VideoState
from review.services.jobqueue import enqueue_unique

log = logging.getLogger(__name__)

STEP_QUEUES = {"probe": "media", "audio": "media", "transcode": "media", "transcribe": "asr"}
STEP_FUNCS = {
    "probe": "workers.jobs.probe_video",
    "audio": "workers.jobs.extract_audio",
    "transcode": "workers.jobs.transcode_video",
    "transcribe": "workers.jobs.transcribe_video",
}
ACTIVE = (VideoState.UPLOADED.value, VideoState.PROCESSING.value)


def step_timeout(step: str, video: Video) -> int:
    """Return the RQ timeout of a step, scaled by the clip's duration."""
    duration = video.duration or current_app.config["MAX_DURATION"]
    return int(
        {
            "probe": 120,
            "audio": 60 + duration,
            "transcode": 120 + 3 * duration,
            "transcribe": 180 + 4 * duration,
        }[step]
    )


def is_fast_path(video: Video) -> bool:
    """Tell whether the original plays in browsers as it is (H.264/AAC MP4, no rotation)."""
    return bool(video.probe.get("browser_playable")) and bool(video.probe.get("has_audio"))


def has_transcript(video: Video) -> bool:
    """Tell whether transcription finished (or is not needed: no audio)."""
    return video.transcript_engine is not None or not video.probe.get("has_audio", True)


def needed_steps(video: Video) -> list[str]:
    """Return the steps that can run now for video, in order."""
    if video.state in (VideoState.FAILED.value, VideoState.SUPERSEDED.value):
        return []
    if not video.probe:
        return ["probe"]
    if video.probe.get("has_audio") and video.audio_path is None and not video.transcoded:
        return ["audio"]  # the WAV first, whatever the video: transcription need not wait
    if is_fast_path(video) and not has_transcript(video):
        # The original plays as it is: transcribe first (reviewable sooner), transcode after,
        # so that on a small machine ffmpeg does not take the cores Whisper needs.
        return ["transcribe"]
    # A video to transcode is reviewable when both are done: its chunks are transcribed by
    # the other workers (or asr hosts) while one worker transcodes.
    steps = [] if video.transcoded else ["transcode"]
    return steps if has_transcript(video) else [*steps, "transcribe"]


def enqueue_video(video_id: int) -> list[str]:
    """Enqueue every step video_id needs now; safe to call any number of times.

    Returns the ids of the jobs enqueued (a duplicate of a queued job is not counted).
    """
    video = db.session.get(Video, video_id)
    if video is None:
        return []
    steps = needed_steps(video)
    if not steps:
        return []
    video.deadline_at = now() + timedelta(
        seconds=max(step_timeout(s, video) for s in steps) + current_app.config["DEADLINE_SLACK"]
    )
    db.session.commit()
    queued = []
    for step in steps:
        for name, func, args, timeout in _step_jobs(step, video):
            job_id = f"{name}-{'-'.join(map(str, args))}-{video.attempts}"
            if enqueue_unique(STEP_QUEUES[step], job_id, func, args, timeout, _retry(step)):
                queued.append(job_id)
    return queued


def _step_jobs(step: str, video: Video) -> list[tuple[str, str, tuple[int, ...], int]]:
    """Return (id prefix, function, arguments, timeout) of each job that runs step for video.

    Transcription runs as one job per chunk not done yet (services/chunks.py), once planned;
    before that, and when every chunk is done (to merge), as the planning job.
    """
    if step == "transcribe":
        chunks = db.session.scalars(
            select(TranscriptChunk)
            .where(TranscriptChunk.video_id == video.id, TranscriptChunk.state != "done")
            .order_by(TranscriptChunk.position)
        ).all()
        if chunks:
            return [
                (
                    "chunk",
                    "workers.jobs.transcribe_chunk",
                    (video.id, c.position),
                    180 + 4 * int(c.end - c.start + 1),
                )
                for c in chunks
            ]
    return [(step, STEP_FUNCS[step], (video.id,), step_timeout(step, video))]


def _retry(step: str) -> Retry:
    intervals = current_app.config["RETRY_INTERVALS"]
    return Retry(max=len(intervals), interval=intervals)


def safe_enqueue(video_id: int) -> None:
    """Enqueue, but let a Redis outage pass: the reconciler will enqueue later."""
    try:
        enqueue_video(video_id)
    except RedisError:
        log.warning("redis unavailable; video %s waits for the reconciler", video_id)


def start_step(video_id: int, step: str) -> Video | None:
    """Mark a step as running; return None when the step is not needed any more."""
    video = db.session.get(Video, video_id)
    if video is None or step not in needed_steps(video):
        return None
    if video.state != VideoState.READY.value:  # a reviewable video stays ready meanwhile
        video.state = VideoState.PROCESSING.value
    video.stage = step
    video.progress = {**video.progress, step: 0.0}
    deadline = now() + timedelta(
        seconds=step_timeout(step, video) + current_app.config["DEADLINE_SLACK"]
    )
    # Steps can run side by side (transcode and chunks): one starting never pulls in the
    # deadline of another still running, or the reconciler would requeue it.
    video.deadline_at = max(deadline, video.deadline_at) if video.deadline_at else deadline
    db.session.commit()
    return video


def record_progress(video_id: int, step: str, fraction: float) -> None:
    """Store a step's progress (0..1) in the row."""
    video = db.session.get(Video, video_id, populate_existing=True)
    if video is not None:
        video.progress = {**video.progress, step: round(min(max(fraction, 0.0), 1.0), 3)}
        db.session.commit()


def finish_step(video: Video, step: str, **fields: Any) -> None:
    """Store a finished step's results and the new state in one commit, then enqueue the next."""
    for name, value in fields.items():
        setattr(video, name, value)
    db.session.commit()
    # Fast-path steps finish concurrently: judge readiness on a fresh, locked read.
    video = db.session.get_one(Video, video.id, with_for_update=True, populate_existing=True)
    if video.state == VideoState.SUPERSEDED.value:  # replaced while this step ran
        db.session.commit()
        purge_superseded(video.owner_id)
        return
    video.progress = {**video.progress, step: 1.0}
    video.reviewable = is_reviewable(video)
    if video.reviewable:
        video.state = VideoState.READY.value
        video.error_code = None
    db.session.commit()
    if video.reviewable:
        _enqueue_analyses(video.id)
    safe_enqueue(video.id)


def _enqueue_analyses(video_id: int) -> None:
    """Queue the analyses (speech flags, oath...) of a ready video; never breaks the pipeline."""
    try:
        from review.services.analyses import enqueue_for_video

        enqueue_for_video(video_id)
    except Exception:
        db.session.rollback()
        log.exception("could not queue the analyses of video %s", video_id)


def is_reviewable(video: Video) -> bool:
    """A video can be reviewed once it plays in browsers and its transcript exists."""
    playable = video.transcoded or (is_fast_path(video) and video.playable_path is not None)
    return bool(video.probe) and playable and has_transcript(video)


def save_transcript(
    video: Video, segments: Sequence[Segment], engine: str, vtt_relative: str
) -> None:
    """Replace the machine transcript and its WebVTT, keeping any human correction as it is.

    Party terms are corrected here (services.terms.correct_transcript), the recognised text
    kept beside the correction.
    """
    from media.vtt import write_vtt

    if any(s.corrected_by for s in video.segments):
        # A reviewer corrected this transcript: a re-run must not overwrite it (nor its VTT).
        finish_step(video, "transcribe", transcript_engine=engine)
        return
    from review.services.terms import correct_transcript

    fixed = correct_transcript(segments)
    write_vtt([Segment(s.start, s.end, s.text) for s in fixed], storage.path(vtt_relative))
    video.segments.clear()
    db.session.flush()
    for position, seg in enumerate(fixed):
        video.segments.append(
            TranscriptSegment(
                position=position,
                start=seg.start,
                end=seg.end,
                text=seg.text,
                original_text=seg.heard,
                term_fixes=seg.fixes,
            )
        )
    finish_step(video, "transcribe", transcript_engine=engine, vtt_path=vtt_relative)


def purge_superseded(owner_id: int) -> int:
    """Delete the files of an owner's superseded videos (the rows stay); return how many."""
    from review import storage

    purged = 0
    rows = db.session.scalars(
        select(Video).where(Video.owner_id == owner_id, Video.state == VideoState.SUPERSEDED.value)
    )
    for video in rows:
        original = storage.path(video.original_path)
        if original is None or not original.parent.is_dir():
            continue
        for name in storage.VIDEO_FILES:
            storage.delete(storage.video_file(video, name))
        storage.delete(original)
        purged += 1
    return purged


def fail_video(video_id: int, code: str, detail: str = "") -> None:
    """Mark a video failed for good with a machine code (shown as a Chinese reason)."""
    video = db.session.get(Video, video_id)
    # A superseded video's files are removed under a running step: that is no failure.
    if video is None or video.state in (VideoState.FAILED.value, VideoState.SUPERSEDED.value):
        return
    video.state = VideoState.FAILED.value
    video.error_code = code
    video.error_detail = detail[-4000:]
    video.deadline_at = None
    from review.services import events  # events → notifications; imported late, no cycle

    events.video_failed(video)  # in this transaction: failed and notified, or neither
    db.session.commit()


def reconcile(at: datetime | None = None) -> dict[str, int]:
    """Re-enqueue videos stuck past their deadline; fail those out of retries.

    Returns counts: {"requeued": n, "failed": m}.
    """
    at = at or now()
    budget = current_app.config["MAX_ATTEMPTS"]
    stuck = db.session.scalars(
        select(Video)
        .where(
            or_(
                Video.state.in_(ACTIVE), (Video.state == VideoState.READY.value) & ~Video.transcoded
            ),
            or_(Video.deadline_at.is_(None), Video.deadline_at < at),
        )
        .limit(500)
    ).all()
    counts = {"requeued": 0, "failed": 0}
    for video in stuck:
        if not needed_steps(video):
            continue
        video.attempts += 1
        if video.attempts > budget:
            if video.state == VideoState.READY.value:
                video.deadline_at = None  # reviewable on the original; stop retrying the transcode
                db.session.commit()
                continue
            fail_video(
                video.id, "retries_exhausted", f"stuck at {video.stage} after {budget} tries"
            )
            counts["failed"] += 1
            continue
        db.session.commit()
        enqueue_video(video.id)
        counts["requeued"] += 1
    return counts
