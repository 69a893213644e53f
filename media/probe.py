"""Inspect and validate an uploaded video with ffmpeg alone (ffprobe is optional)."""

from __future__ import annotations

import itertools
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from . import report as rp
from .errors import MediaError
from .ffmpeg_bin import input_path, run_ffmpeg, tail

MAX_PIXELS = 7680 * 4320  # 8K UHD, the largest a phone records
MAX_SIDE = 8192
MIN_FPS, MAX_FPS = 1.0, 240.0
DECODE_FRAMES = 8
SNIFF_BYTES = 4096
_PLAYLIST_MARKERS = (
    b"#EXTM3U",
    b"#EXTINF",
    b"#EXT-X-",
    b"ffconcat",
    b"[playlist]",
    b"<smil",
    b"<?xml",
)
_PLAYLIST_LINE_RE = re.compile(rb"^\s*file\s+['\"]?\S", re.M | re.I)
_MEDIA_MAGIC = (b"\x1aE\xdf\xa3", b"RIFF", b"fLaC", b"OggS", b"ID3", b"\xff\xfb", b"\xff\xf3")
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"BM")
_MOV_FAMILY = "mov,mp4,m4a,3gp,3g2,mj2"


@dataclass(frozen=True)
class ProbeResult:
    """What an upload contains; width/height are as stored, display_* after rotation."""

    duration: float
    format_name: str
    size_bytes: int
    width: int
    height: int
    display_width: int
    display_height: int
    rotation: int
    fps: float
    is_vfr: bool
    video_codec: str
    pix_fmt: str
    bit_depth: int
    hdr: bool
    color_primaries: str
    color_transfer: str
    has_audio: bool
    audio_codec: str | None
    sample_rate: int | None
    channels: int | None
    video_index: int = 0
    audio_index: int | None = None

    @property
    def browser_playable(self) -> bool:
        """Return True when browsers can play the original file as is."""
        return (
            self.format_name == _MOV_FAMILY
            and self.video_codec == "h264"
            and self.pix_fmt in ("yuv420p", "yuvj420p")
            and self.bit_depth == 8
            and not self.hdr
            and (not self.has_audio or self.audio_codec == "aac")
            and self.rotation == 0
        )


def probe(
    path: os.PathLike[str] | str,
    *,
    min_duration: float = 5.0,
    max_duration: float = 600.0,
    max_pixels: int = MAX_PIXELS,
    timeout: float = 60,
) -> ProbeResult:
    """Describe the video at `path`, raising MediaError when it is unusable."""
    path = Path(path)
    head = _sniff(path)
    proc = run_ffmpeg(["-i", input_path(path)], timeout=timeout)
    if "not on whitelist" in proc.stderr:
        # Text and still images are simply not videos; other demuxers are refused outright.
        code = (
            "not_video" if _is_text(head) or head.startswith(_IMAGE_MAGIC) else "forbidden_format"
        )
        raise MediaError(code, "demuxer not allowed", stderr=tail(proc.stderr))
    report = rp.parse_report(proc.stderr)
    if report is None:
        code = "undecodable" if _looks_like_media(head) else "not_video"
        raise MediaError(code, "ffmpeg could not open the input", stderr=tail(proc.stderr))
    result = _build(report, path.stat().st_size, proc.stderr)
    _check_limits(result, max_pixels, proc.stderr)
    duration = result.duration if result.duration > 0 else _measure_duration(path, result, timeout)
    result = replace(result, duration=duration)
    if duration < min_duration:
        raise MediaError("too_short", f"duration {duration:.2f}s < {min_duration:g}s")
    if duration > max_duration:
        raise MediaError("too_long", f"duration {duration:.2f}s > {max_duration:g}s")
    deltas = _decode_check(path, result, timeout)
    return replace(result, is_vfr=result.is_vfr or _irregular(deltas))


def _sniff(path: Path) -> bytes:
    """Read the first bytes; reject empty files and playlists before ffmpeg sees them."""
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise MediaError("not_video", f"no such file: {path}") from exc
    if size == 0:
        raise MediaError("empty_file", "file is empty")
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(_PLAYLIST_MARKERS) or (_is_text(head) and _PLAYLIST_LINE_RE.search(head)):
        raise MediaError("forbidden_format", "playlist or concat list")
    return head


def _is_text(head: bytes) -> bool:
    """Return True when the bytes look like plain text."""
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 4  # a multibyte char cut at the boundary
    return True


def _looks_like_media(head: bytes) -> bool:
    """Return True when the header is a known container signature (so it is damaged media)."""
    return head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free") or head.startswith(
        _MEDIA_MAGIC
    )


def _build(report: rp.Report, size: int, stderr: str) -> ProbeResult:
    """Turn a parsed report into a ProbeResult (limits unchecked)."""
    video = report.first("video")
    if video is None:
        raise MediaError("not_video", "no video stream", stderr=tail(stderr))
    audio = report.first("audio")
    width, height = rp.video_dims(video)
    rotation = rp.rotation(video)
    fps, tbr = rp.video_rates(video)
    pix_fmt, tokens = rp.pixel_format(video)
    _matrix, primaries, transfer = rp.colour(tokens)
    depth = rp.bit_depth(pix_fmt)
    rate, channels = rp.audio_params(audio) if audio else (None, None)
    swap = rotation in (90, 270)
    return ProbeResult(
        duration=report.duration or 0.0,
        format_name=report.format_name,
        size_bytes=size,
        width=width,
        height=height,
        display_width=height if swap else width,
        display_height=width if swap else height,
        rotation=rotation,
        fps=fps or tbr,
        is_vfr=bool(fps and tbr and abs(fps - tbr) / tbr > 0.05),
        video_codec=video.codec,
        pix_fmt=pix_fmt,
        bit_depth=depth,
        hdr=transfer in ("smpte2084", "arib-std-b67") or (primaries == "bt2020" and depth > 8),
        color_primaries=primaries,
        color_transfer=transfer,
        has_audio=audio is not None,
        audio_codec=audio.codec if audio else None,
        sample_rate=rate or None,
        channels=channels or None,
        video_index=video.index,
        audio_index=audio.index if audio else None,
    )


def _check_limits(result: ProbeResult, max_pixels: int, stderr: str) -> None:
    """Reject absurd dimensions and frame rates before anything is decoded."""
    w, h = result.width, result.height
    if w <= 0 or h <= 0 or w * h > max_pixels or max(w, h) > MAX_SIDE:
        raise MediaError("bad_dimensions", f"frame size {w}x{h}", stderr=tail(stderr))
    if not MIN_FPS <= result.fps <= MAX_FPS:
        raise MediaError("bad_frame_rate", f"frame rate {result.fps:g}", stderr=tail(stderr))


def _measure_duration(path: Path, result: ProbeResult, timeout: float) -> float:
    """Find the duration by demuxing (no decode) when the container does not declare it."""
    times: list[int] = []
    args = [
        "-i",
        input_path(path),
        "-map",
        f"0:{result.video_index}",
        "-c",
        "copy",
        "-f",
        "null",
        "-",
        "-progress",
        "pipe:1",
        "-nostats",
    ]
    proc = run_ffmpeg(args, timeout=timeout, on_stdout_line=lambda line: _collect_time(line, times))
    if proc.returncode != 0 or not times:
        raise MediaError("undecodable", "duration unknown", stderr=tail(proc.stderr))
    return max(times) / 1e6


def _collect_time(line: str, times: list[int]) -> None:
    """Keep out_time_us values from -progress output."""
    key, _, value = line.partition("=")
    if key == "out_time_us" and value.lstrip("-").isdigit():
        times.append(int(value))


def _decode_check(path: Path, result: ProbeResult, timeout: float) -> list[float]:
    """Decode a few frames at the start and near the end; return the start frame intervals."""
    seek = max(0.0, min(result.duration * 0.75, result.duration - 1.0))
    vmap = f"{result.video_index}"
    args = [
        "-xerror",
        "-i",
        input_path(path),
        "-ss",
        f"{seek:.3f}",
        "-i",
        input_path(path),
        "-map",
        f"0:{vmap}",
        "-map",
        f"1:{vmap}",
        "-frames:v",
        str(DECODE_FRAMES),
        "-fps_mode",
        "passthrough",
        "-f",
        "framecrc",
        "-",
    ]
    proc = run_ffmpeg(args, timeout=timeout)
    frames: dict[int, list[tuple[int, int]]] = {0: [], 1: []}
    for line in proc.stdout.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        parts = [p.strip() for p in line.split(",")]
        frames.setdefault(int(parts[0]), []).append((int(parts[2]), int(parts[3])))
    if proc.returncode != 0 or not frames[0] or not frames[1]:
        raise MediaError("undecodable", "frames could not be decoded", stderr=tail(proc.stderr))
    tb = _framecrc_timebase(proc.stdout)
    pts = [p for p, _ in frames[0]]
    return [(b - a) * tb for a, b in itertools.pairwise(pts)]


def _framecrc_timebase(out: str) -> float:
    """Read stream 0's timebase from the framecrc header."""
    m = re.search(r"#tb 0: (\d+)/(\d+)", out)
    return int(m.group(1)) / int(m.group(2)) if m else 1.0


def _irregular(deltas: list[float]) -> bool:
    """Return True when frame intervals vary by more than 20%."""
    if len(deltas) < 2 or min(deltas) <= 0:
        return False
    return max(deltas) / min(deltas) > 1.2
