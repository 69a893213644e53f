"""Speech figures from the audio (silencedetect, volumedetect, ebur128) and the transcript timing.

One ffmpeg run measures silences, mean/peak volume and integrated loudness (LUFS); flags()
turns the figures into hints: no_speech, low_volume, long_silence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from os import PathLike
from typing import Any, Protocol

from .errors import MediaError
from .ffmpeg_bin import input_path, run_ffmpeg, tail

SILENCE_NOISE_DB = -50.0  # quieter than this counts as silence (phone room noise sits below)
SILENCE_MIN_SECONDS = 0.5
LONG_SILENCE_SECONDS = 10.0
LOW_LOUDNESS_LUFS = -40.0  # normal phone speech measures about -30 to -16 LUFS
DIGITAL_SILENCE_DB = -85.0  # a peak below this is no signal at all (not "quiet speech")
MIN_SPEECH_CHARS = 5

_SILENCE_START = re.compile(r"silence_start:\s*(-?[\d.]+)")
_SILENCE_END = re.compile(r"silence_end:\s*(-?[\d.]+)")
_MEAN = re.compile(r"mean_volume:\s*(-?[\d.]+|-inf) dB")
_MAX = re.compile(r"max_volume:\s*(-?[\d.]+|-inf) dB")
_LUFS = re.compile(r"Summary:.*?I:\s*(-?[\d.]+|-inf) LUFS", re.S)


class Timed(Protocol):
    """A transcript segment's timing (seconds); media and database segments both fit."""

    @property
    def start(self) -> float: ...

    @property
    def end(self) -> float: ...


@dataclass
class AudioStats:
    """What the audio itself says."""

    duration: float
    silences: list[tuple[float, float]] = field(default_factory=list)
    mean_volume: float | None = None  # dBFS
    max_volume: float | None = None  # dBFS
    loudness: float | None = None  # integrated loudness, LUFS

    @property
    def silent_seconds(self) -> float:
        """Return the total length of the silences."""
        return sum(end - start for start, end in self.silences)

    @property
    def longest_silence(self) -> float:
        """Return the length of the longest silence."""
        return max((end - start for start, end in self.silences), default=0.0)


def measure_audio(
    path: PathLike[str] | str, duration: float, *, timeout: float = 120
) -> AudioStats:
    """Measure silences, volume and loudness of an audio (or video) file in one ffmpeg run."""
    graph = (
        f"silencedetect=noise={SILENCE_NOISE_DB:g}dB:d={SILENCE_MIN_SECONDS:g},"
        "volumedetect,ebur128=framelog=quiet"
    )
    proc = run_ffmpeg(
        ["-nostats", "-i", input_path(path), "-vn", "-af", graph, "-f", "null", "-"],
        timeout=timeout,
    )
    if proc.returncode != 0:
        raise MediaError("undecodable", "speech analysis failed", stderr=tail(proc.stderr))
    return parse_stats(proc.stderr, duration)


def parse_stats(log: str, duration: float) -> AudioStats:
    """Read the filters' reports out of an ffmpeg log."""
    silences: list[tuple[float, float]] = []
    start = None
    for line in log.splitlines():
        found = _SILENCE_START.search(line)
        if found:
            start = max(float(found.group(1)), 0.0)
        found = _SILENCE_END.search(line)
        if found and start is not None:
            silences.append((round(start, 2), round(min(float(found.group(1)), duration), 2)))
            start = None
    if start is not None and start < duration:  # silent until the end
        silences.append((round(start, 2), round(duration, 2)))
    return AudioStats(
        duration=duration,
        silences=silences,
        mean_volume=_number(_MEAN, log),
        max_volume=_number(_MAX, log),
        loudness=_number(_LUFS, log),
    )


def _number(pattern: re.Pattern[str], log: str) -> float | None:
    found = pattern.findall(log)
    if not found:
        return None
    value = found[-1]
    return -120.0 if value == "-inf" else float(value)


@dataclass
class SpeechFigures:
    """The figures shown to the reviewer, and the flags raised from them."""

    duration: float
    speaking_seconds: float
    chars: int
    chars_per_minute: float | None
    longest_silence: float
    silences: list[tuple[float, float]]
    mean_volume: float | None
    max_volume: float | None
    loudness: float | None
    flags: list[str]

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return asdict(self)


def speech_figures(stats: AudioStats, segments: Iterable[Timed], chars: int) -> SpeechFigures:
    """Combine audio stats with the transcript (segments with start/end, content characters)."""
    spoken = sum(max(float(s.end) - float(s.start), 0.0) for s in segments)
    speaking = max(stats.duration - stats.silent_seconds, 0.0)
    basis = spoken or speaking
    rate = round(chars / (basis / 60), 1) if chars and basis > 0 else None
    figures = SpeechFigures(
        duration=round(stats.duration, 2),
        speaking_seconds=round(speaking, 2),
        chars=chars,
        chars_per_minute=rate,
        longest_silence=round(stats.longest_silence, 2),
        silences=[s for s in stats.silences if s[1] - s[0] >= LONG_SILENCE_SECONDS][:20],
        mean_volume=stats.mean_volume,
        max_volume=stats.max_volume,
        loudness=stats.loudness,
        flags=[],
    )
    figures.flags = flags(stats, chars)
    return figures


def flags(stats: AudioStats, chars: int) -> list[str]:
    """Return the flag codes the figures call for."""
    raised = []
    if chars < MIN_SPEECH_CHARS:
        raised.append("no_speech")
    audible = stats.max_volume is not None and stats.max_volume > DIGITAL_SILENCE_DB
    if audible and stats.loudness is not None and stats.loudness < LOW_LOUDNESS_LUFS:
        raised.append("low_volume")
    # In a clip that is too quiet everything measures as silence: low_volume says it all.
    if stats.longest_silence >= LONG_SILENCE_SECONDS and "low_volume" not in raised:
        raised.append("long_silence")
    return raised
