"""Turn an upload into a browser-friendly MP4, a poster JPEG and a 16 kHz WAV in one pass."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .atomic import discard, temp_sibling
from .errors import MediaError
from .ffmpeg_bin import input_path, run_ffmpeg, tail
from .probe import ProbeResult
from .progress import Progress, ProgressFn

MAX_SHORT_SIDE = 720
MAX_FPS = 30
CRF = 23
PRESET = "veryfast"
AUDIO_BITRATE = "128k"
WAV_RATE = 16000
POSTER_AT = 1.0  # seconds, or 10% of a shorter clip


@dataclass(frozen=True)
class TranscodeResult:
    """Where the outputs went and what the video looks like."""

    video_path: Path
    poster_path: Path
    audio_path: Path | None
    width: int
    height: int
    fps_capped: bool
    tonemapped: bool


def output_size(display_w: int, display_h: int, max_short: int = MAX_SHORT_SIDE) -> tuple[int, int]:
    """Return even output dimensions with the short side at most `max_short` (never upscaled)."""
    scale = min(1.0, max_short / min(display_w, display_h))
    w = max(2, int(display_w * scale) // 2 * 2)
    h = max(2, int(display_h * scale) // 2 * 2)
    return w, h


@cache
def has_filters(*names: str) -> bool:
    """Return True when this ffmpeg build has every named filter."""
    proc = run_ffmpeg(["-filters"], timeout=30, safe=False, nice=False)
    listed = {line.split()[1] for line in proc.stdout.splitlines() if len(line.split()) > 2}
    return all(n in listed for n in names)


def transcode(
    src: os.PathLike[str] | str,
    video_out: os.PathLike[str] | str,
    poster_out: os.PathLike[str] | str,
    audio_out: os.PathLike[str] | str | None,
    probe_result: ProbeResult,
    *,
    on_progress: ProgressFn | None = None,
    timeout: float = 3600,
    tonemap: bool | None = None,
) -> TranscodeResult:
    """Run one ffmpeg pass that writes the MP4, the poster and (if there is audio) the WAV.

    HDR input is tone-mapped to BT.709 when zscale is available (`tonemap=None` decides
    automatically; False forces a plain 8-bit conversion).
    """
    tonemap = (
        _can_tonemap(probe_result) if tonemap is None else tonemap and _can_tonemap(probe_result)
    )
    try:
        return _transcode(
            src, video_out, poster_out, audio_out, probe_result, on_progress, timeout, tonemap
        )
    except MediaError as exc:
        if not tonemap or exc.code != "transcode_failed":
            raise
        # zscale refuses some colour metadata; a plain 8-bit conversion still gives a usable video.
        return _transcode(
            src, video_out, poster_out, audio_out, probe_result, on_progress, timeout, False
        )


def _transcode(
    src: os.PathLike[str] | str,
    video_out: os.PathLike[str] | str,
    poster_out: os.PathLike[str] | str,
    audio_out: os.PathLike[str] | str | None,
    pr: ProbeResult,
    on_progress: ProgressFn | None,
    timeout: float,
    tonemap: bool,
) -> TranscodeResult:
    """Build the graph, run it to temp files and move them into place."""
    audio_target = audio_out if pr.has_audio else None
    want_audio = audio_target is not None
    tmp_video, tmp_poster = temp_sibling(video_out), temp_sibling(poster_out)
    tmp_audio = temp_sibling(audio_target) if audio_target is not None else None
    width, height = output_size(pr.display_width, pr.display_height)
    fps_capped = pr.fps > MAX_FPS + 0.5
    poster_at = min(POSTER_AT, pr.duration * 0.1)
    # ffmpeg autorotates decoded frames, so width/height here are display dimensions.
    video = _colour_chain(pr, tonemap)
    if fps_capped:
        video.append(f"fps=fps={MAX_FPS}")
    # Scale each branch separately: the poster's MJPEG encoder wants full range and would
    # otherwise drag the shared frames (and so the H.264 stream) to full range too.
    main = _chain(_scale(width, height, "tv"), "format=yuv420p")
    # A bounded trim: after its end the poster branch drops frames instead of scaling them all.
    trim = f"trim=start={poster_at:.3f}:end={poster_at + 1:.3f}"
    still = _chain([trim], *_scale(width, height, "pc"))
    graph = (
        f"[0:{pr.video_index}]{_chain(video, 'split=2')}[main][still];"
        f"[main]{main}[video];[still]{still}[poster]"
    )
    args = ["-i", input_path(src), "-filter_complex", graph, "-map", "[video]"]
    if pr.has_audio:
        args += ["-map", f"0:{pr.audio_index}", "-acodec", "aac", "-b:a", AUDIO_BITRATE, "-ac", "2"]
    args += [
        *("-vcodec", "libx264", "-crf", str(CRF), "-preset", PRESET, "-pix_fmt", "yuv420p"),
        *("-movflags", "+faststart", "-map_metadata", "-1", "-map_chapters", "-1", "-f", "mp4"),
        str(tmp_video),
        *("-map", "[poster]", "-f", "image2", "-update", "1", "-frames:v", "1", "-q:v", "3"),
        *("-map_metadata", "-1", str(tmp_poster)),
    ]
    if want_audio:
        args += [
            *("-map", f"0:{pr.audio_index}", "-f", "wav", "-ac", "1", "-ar", str(WAV_RATE)),
            *("-acodec", "pcm_s16le", "-map_metadata", "-1", str(tmp_audio)),
        ]
    args += ["-y", "-nostats", "-stats_period", "0.25", "-progress", "pipe:1"]
    tracker = Progress(pr.duration, on_progress)
    try:
        proc = run_ffmpeg(args, timeout=timeout, on_stdout_line=tracker.line)
        if proc.returncode != 0 or not tmp_video.exists() or not tmp_poster.exists():
            raise MediaError(
                "transcode_failed", f"ffmpeg exited {proc.returncode}", stderr=tail(proc.stderr)
            )
        os.replace(tmp_video, video_out)
        os.replace(tmp_poster, poster_out)
        if tmp_audio is not None and audio_target is not None:
            os.replace(tmp_audio, audio_target)
    finally:
        for tmp in (tmp_video, tmp_poster, tmp_audio):
            discard(tmp)
    tracker.finish()
    return TranscodeResult(
        Path(video_out),
        Path(poster_out),
        Path(audio_target) if audio_target is not None else None,
        width,
        height,
        fps_capped,
        tonemap,
    )


def extract_audio(
    src: os.PathLike[str] | str, wav_out: os.PathLike[str] | str, *, timeout: float = 600
) -> Path:
    """Write the first audio stream as 16 kHz mono s16 WAV (fast path for transcription)."""
    tmp = temp_sibling(wav_out)
    args = [
        "-y",
        "-i",
        input_path(src),
        "-map",
        "0:a:0",
        "-vn",
        "-ac",
        "1",
        "-ar",
        str(WAV_RATE),
        "-c:a",
        "pcm_s16le",
        "-map_metadata",
        "-1",
        "-f",
        "wav",
        str(tmp),
    ]
    try:
        proc = run_ffmpeg(args, timeout=timeout)
        if proc.returncode != 0 or not tmp.exists():
            raise MediaError(
                "transcode_failed", "audio extraction failed", stderr=tail(proc.stderr)
            )
        os.replace(tmp, wav_out)
    finally:
        discard(tmp)
    return Path(wav_out)


def make_poster(
    src: os.PathLike[str] | str,
    poster_out: os.PathLike[str] | str,
    probe_result: ProbeResult,
    *,
    at: float | None = None,
    timeout: float = 120,
) -> Path:
    """Write one JPEG frame (default ~1 s in), scaled like the transcoded video."""
    pr = probe_result
    at = min(POSTER_AT, pr.duration * 0.1) if at is None else at
    width, height = output_size(pr.display_width, pr.display_height)
    chain = _chain(_colour_chain(pr, False), *_scale(width, height, "pc"))
    tmp = temp_sibling(poster_out)
    args = [
        *("-ss", f"{at:.3f}", "-i", input_path(src)),
        *("-filter_complex", f"[0:{pr.video_index}]{chain}[poster]", "-map", "[poster]"),
        *("-f", "image2", "-update", "1", "-frames:v", "1", "-q:v", "3", str(tmp)),
    ]
    try:
        proc = run_ffmpeg(["-y", *args], timeout=timeout)
        if proc.returncode != 0 or not tmp.exists():
            raise MediaError("transcode_failed", "poster failed", stderr=tail(proc.stderr))
        os.replace(tmp, poster_out)
    finally:
        discard(tmp)
    return Path(poster_out)


def _chain(filters: list[str], *more: str) -> str:
    """Join filters into one filtergraph chain."""
    return ",".join([*filters, *more])


def _scale(width: int, height: int, out_range: str) -> list[str]:
    """Scale to the output size with square pixels and the given colour range."""
    return [f"scale={width}:{height}:flags=bicubic:out_range={out_range}", "setsar=1"]


def _can_tonemap(pr: ProbeResult) -> bool:
    """Return True when HDR input can be tone-mapped with this build."""
    return (
        pr.hdr
        and pr.color_transfer in ("smpte2084", "arib-std-b67")
        and has_filters("zscale", "tonemap")
    )


def _colour_chain(pr: ProbeResult, tonemap: bool) -> list[str]:
    """Return the filters to 8-bit BT.709-ish yuv420p, tone-mapping HDR when asked."""
    if tonemap:
        # color_transfer is one of the two _can_tonemap accepts: no escaping needed.
        steps = [
            f"zscale=tin={pr.color_transfer}:pin=bt2020:min=bt2020nc:t=linear:npl=100",
            "format=gbrpf32le",
            "zscale=p=bt709",
            "tonemap=hable:desat=0",
            "zscale=t=bt709:m=bt709:r=tv",
        ]
    elif pr.hdr:
        # Without tone mapping the picture stays HDR-graded; label it SDR so players agree.
        steps = ["setparams=color_primaries=bt709:color_trc=bt709:colorspace=bt709"]
    else:
        steps = []
    return [*steps, "format=yuv420p"]
