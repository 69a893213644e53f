"""WebVTT subtitles for transcripts."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from .asr.base import Segment
from .atomic import write_text_atomic

_CUE_RE = re.compile(r"^(?P<a>[\d:.]+)\s+-->\s+(?P<b>[\d:.]+)")


def format_timestamp(seconds: float) -> str:
    """Format seconds as HH:MM:SS.mmm."""
    ms = max(0, round(seconds * 1000))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def parse_timestamp(value: str) -> float:
    """Parse HH:MM:SS.mmm or MM:SS.mmm into seconds."""
    parts = [float(p) for p in value.split(":")]
    seconds = 0.0
    for p in parts:
        seconds = seconds * 60 + p
    return seconds


def render_vtt(segments: Iterable[Segment]) -> str:
    """Return WebVTT text for the segments."""
    lines = ["WEBVTT", ""]
    for i, seg in enumerate(segments, 1):
        # A blank line or "-->" inside a cue would end or corrupt it.
        text = " ".join(seg.text.split()).replace("-->", "→")
        lines += [
            str(i),
            f"{format_timestamp(seg.start)} --> {format_timestamp(seg.end)}",
            text,
            "",
        ]
    return "\n".join(lines)


def write_vtt(segments: Iterable[Segment], path: os.PathLike[str] | str) -> Path:
    """Write the segments as a WebVTT file, atomically."""
    write_text_atomic(path, render_vtt(segments))
    return Path(path)


def parse_vtt(text: str) -> list[Segment]:
    """Parse WebVTT text into segments (cue settings and identifiers are ignored)."""
    segments: list[Segment] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        lines = block.split("\n")
        for i, line in enumerate(lines):
            m = _CUE_RE.match(line)
            if m:
                body = "\n".join(lines[i + 1 :]).strip()
                segments.append(Segment(parse_timestamp(m["a"]), parse_timestamp(m["b"]), body))
                break
    return segments
