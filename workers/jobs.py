"""RQ job functions, importable by dotted path; each takes a video id and is idempotent.

A job checks the row first (a re-run of a finished step does nothing), writes its outputs
to temporary names and renames them into place, and records the result in one commit.
Media errors that will repeat fail the video with a reason; others propagate to RQ.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import current_app
from rq import get_current_job

from media import MediaError
from media.ffmpeg_bin import set_memory_limit
from media.progress import ProgressFn
from review import storage
from review.services import pipeline

if TYPE_CHECKING:
    from media.probe import ProbeResult


def _start_job() -> None:
    # Every job starts here: its ffmpeg children get the configured address-space limit.
    set_memory_limit(current_app.config["FFMPEG_MEMORY_MB"] * 2**20)


def _probe(path: Path) -> ProbeResult:
    """Probe with the configured duration bounds."""
    from media.probe import probe

    cfg = current_app.config
    return probe(path, min_duration=cfg["MIN_DURATION"], max_duration=cfg["MAX_DURATION"])


def _stored(relative: str | None) -> Path:
    """Return the absolute path of a file the step needs (needed_steps ensured it exists)."""
    path = storage.path(relative)
    if path is None:
        raise MediaError("transcode_failed", "an input file of this step is not recorded")
    return path


def _progress_reporter(video_id: int, step: str, record: ProgressFn | None = None) -> ProgressFn:
    job, last = get_current_job(), [0.0, -1.0]
    store = record or (lambda fraction: pipeline.record_progress(video_id, step, fraction))

    def report(fraction: float) -> None:
        moment = time.monotonic()
        if moment - last[0] < 1.0 and fraction < 1.0:
            return
        last[0] = moment
        if job is not None:
            job.meta["progress"] = fraction
            job.save_meta()
        store(fraction)

    return report


def _fail_or_raise(video_id: int, exc: MediaError) -> None:
    if exc.retryable:
        raise exc
    pipeline.fail_video(video_id, exc.code, f"{exc.detail}\n{exc.stderr}")


def probe_video(video_id: int) -> None:
    """Probe the original: decodable, duration and dimensions in bounds, audio present."""
    _start_job()
    video = pipeline.start_step(video_id, "probe")
    if video is None:
        return
    try:
        result = _probe(storage.path(video.original_path))
    except MediaError as exc:
        _fail_or_raise(video_id, exc)
        return
    flags = [] if result.has_audio else ["no_audio"]
    if result.duration < current_app.config["RECOMMENDED_MIN_DURATION"]:
        flags.append("short_video")
    fast = result.browser_playable and result.has_audio
    pipeline.finish_step(
        video,
        "probe",
        probe={
            **_probe_dict(result),
            "has_audio": result.has_audio,
            "browser_playable": result.browser_playable,
        },
        duration=result.duration,
        width=result.display_width,
        height=result.display_height,
        flags=flags,
        playable_path=video.original_path if fast else None,
    )


def _probe_dict(result: ProbeResult) -> dict[str, Any]:
    from dataclasses import asdict

    return {k: v for k, v in asdict(result).items() if isinstance(v, (int, float, str, bool))}


def extract_audio(video_id: int) -> None:
    """Pull the 16 kHz mono WAV and a poster frame out of the original, before any transcode."""
    from media.transcode import extract_audio as extract
    from media.transcode import make_poster

    _start_job()
    video = pipeline.start_step(video_id, "audio")
    if video is None:
        return
    audio, poster = storage.video_file(video, "audio.wav"), storage.video_file(video, "poster.jpg")
    src = storage.path(video.original_path)
    fast = pipeline.is_fast_path(video)
    try:
        extract(src, audio, timeout=pipeline.step_timeout("audio", video))
        if fast:
            # Reviewable on the original before the transcode: the player needs its poster
            # now (one frame; the transcode writes the same file again later).
            make_poster(src, poster, _probe(src), timeout=pipeline.step_timeout("audio", video))
    except MediaError as exc:
        _fail_or_raise(video_id, exc)
        return
    posters = {"poster_path": storage.relative(poster)} if fast else {}
    pipeline.finish_step(video, "audio", audio_path=storage.relative(audio), **posters)


def transcode_video(video_id: int) -> None:
    """One ffmpeg run: browser MP4 (≤720p, ≤30 fps) and poster JPEG (and the WAV if missing)."""
    from media.transcode import transcode

    _start_job()
    video = pipeline.start_step(video_id, "transcode")
    if video is None:
        return
    src = storage.path(video.original_path)
    playable, poster = (
        storage.video_file(video, "playable.mp4"),
        storage.video_file(video, "poster.jpg"),
    )
    audio = storage.video_file(video, "audio.wav")
    # The audio step wrote the WAV already (transcription may be reading it now); a video
    # probed before that step existed gets it from this one decode, as it used to.
    write_audio = bool(video.probe.get("has_audio")) and video.audio_path is None
    try:
        result = _probe(src)
        transcode(
            src,
            playable,
            poster,
            audio if write_audio else None,
            result,
            on_progress=_progress_reporter(video_id, "transcode"),
            timeout=pipeline.step_timeout("transcode", video),
        )
    except MediaError as exc:
        _fail_or_raise(video_id, exc)
        return
    pipeline.finish_step(
        video,
        "transcode",
        transcoded=True,
        playable_path=storage.relative(playable),
        poster_path=storage.relative(poster),
        **({"audio_path": storage.relative(audio)} if write_audio else {}),
    )


def transcribe_video(video_id: int) -> None:
    """Cut the WAV into chunks at pauses and queue one asr job per chunk (or merge, if done)."""
    from review.services import chunks

    _start_job()
    video = pipeline.start_step(video_id, "transcribe")
    if video is None:
        return
    chunks.plan(video)  # once: a re-run finds the chunks planned before
    if not chunks.merge_if_complete(video_id):
        pipeline.enqueue_video(video_id)


def transcribe_chunk(video_id: int, position: int) -> None:
    """Transcribe one chunk with the configured Whisper engine; the last one merges them all."""
    from media.asr.gaps import transcribe_whole
    from media.chunks import write_slice
    from review.services import chunks
    from review.services.asr import get_engine
    from review.services.terms import whisper_hints

    _start_job()
    work = chunks.start_chunk(video_id, position)
    if work is None:
        return
    cfg = current_app.config
    report = _progress_reporter(
        video_id,
        "transcribe",
        lambda fraction: chunks.record_progress(video_id, position, fraction),
    )
    with tempfile.TemporaryDirectory(prefix="huibao-chunk-") as tmp:
        audio = work.audio
        if not work.whole:
            audio = write_slice(work.audio, Path(tmp) / "chunk.wav", work.start, work.end)
        try:
            transcript = transcribe_whole(
                get_engine(),
                audio,
                initial_prompt=work.prompt,
                hotwords=whisper_hints()["hotwords"],
                beam_size=cfg["WHISPER_BEAM_SIZE"],
                on_progress=report,
            )
        except MediaError as exc:
            _fail_or_raise(video_id, exc)
            return
    chunks.finish_chunk(video_id, position, transcript)
