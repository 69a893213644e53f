"""Parse the stream report ffmpeg prints for `-i` (no ffprobe needed)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_INPUT_RE = re.compile(r"^Input #0, (?P<fmt>.+?), from ", re.M)
_DURATION_RE = re.compile(r"Duration: (?P<d>N/A|\d+:\d+:\d+(?:\.\d+)?)")
_STREAM_RE = re.compile(
    r"^\s*Stream #0:(?P<idx>\d+)\S*: (?P<kind>Video|Audio|Data|Subtitle|Attachment): (?P<rest>.*)$"
)
_ROTATION_RE = re.compile(r"display ?matrix: rotation of (?P<deg>-?[\d.]+) degrees", re.I)
_ROTATE_TAG_RE = re.compile(r"^\s*rotate\s*:\s*(?P<deg>-?\d+)\s*$", re.M)
_DIMS_RE = re.compile(r"^(?P<w>\d+)x(?P<h>\d+)")
_RATE_RE = re.compile(r"^(?P<v>[\d.]+)(?P<k>k?) (?P<unit>fps|tbr)$")
_DEPTH_RE = re.compile(r"p(?P<bits>\d{2})(?:le|be)?$")
_CHANNELS = {"mono": 1, "stereo": 2, "2.1": 3, "quad": 4, "5.0": 5, "5.1": 6, "7.1": 8}


@dataclass
class StreamInfo:
    """One stream line of the report plus its indented detail lines."""

    index: int
    kind: str
    codec: str
    fields: list[str]
    detail: str = ""
    attached_pic: bool = False


@dataclass
class Report:
    """What ffmpeg said about its input."""

    format_name: str
    duration: float | None
    streams: list[StreamInfo] = field(default_factory=list)

    def first(self, kind: str) -> StreamInfo | None:
        """Return the first real stream of `kind` (cover art does not count as video)."""
        return next((s for s in self.streams if s.kind == kind and not s.attached_pic), None)


def split_fields(text: str) -> list[str]:
    """Split on commas that are not inside parentheses or brackets."""
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        if ch == "," and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur).strip())
    return [p for p in parts if p]


def parse_report(stderr: str) -> Report | None:
    """Parse ffmpeg's input report; None when ffmpeg could not open the input."""
    m = _INPUT_RE.search(stderr)
    if not m:
        return None
    body = stderr[m.end() :]
    d = _DURATION_RE.search(body)
    report = Report(format_name=m.group("fmt"), duration=_parse_clock(d.group("d")) if d else None)
    current: StreamInfo | None = None
    for line in body.splitlines():
        sm = _STREAM_RE.match(line)
        if sm:
            fields = split_fields(sm.group("rest"))
            codec = fields[0].split()[0] if fields else ""
            current = StreamInfo(
                index=int(sm.group("idx")),
                kind=sm.group("kind").lower(),
                codec=codec,
                fields=fields,
                attached_pic="(attached pic)" in sm.group("rest"),
            )
            report.streams.append(current)
        elif current is not None and line.startswith("    "):
            current.detail += line + "\n"
        elif not line.startswith(" "):
            current = None  # end of the input section
    return report


def video_dims(s: StreamInfo) -> tuple[int, int]:
    """Return the stored width and height (0, 0 when ffmpeg reported none)."""
    for f in s.fields[1:]:
        m = _DIMS_RE.match(f)
        if m:
            return int(m.group("w")), int(m.group("h"))
    return 0, 0


def video_rates(s: StreamInfo) -> tuple[float, float]:
    """Return (average fps, tbr); 0.0 where absent."""
    rates = {"fps": 0.0, "tbr": 0.0}
    for f in s.fields:
        m = _RATE_RE.match(f)
        if m:
            rates[m.group("unit")] = float(m.group("v")) * (1000 if m.group("k") else 1)
    return rates["fps"], rates["tbr"]


def pixel_format(s: StreamInfo) -> tuple[str, list[str]]:
    """Return the pixel format and the tokens in its parentheses (range, colour, order)."""
    for f in s.fields[1:]:
        name, _, extra = f.partition("(")
        name = name.strip()
        if re.fullmatch(r"[a-z][a-z0-9_]*", name) and not name.endswith("kb/s"):
            return name, [t.strip() for t in extra.rstrip(")").split(",") if t.strip()]
    return "", []


def bit_depth(pix_fmt: str) -> int:
    """Guess the bits per component from a pixel format name."""
    if pix_fmt in ("p010le", "p010be", "p016le"):
        return 10 if pix_fmt.startswith("p010") else 16
    m = _DEPTH_RE.search(pix_fmt)
    return int(m.group("bits")) if m else 8


def colour(tokens: list[str]) -> tuple[str, str, str]:
    """Return (matrix, primaries, transfer) from the pixel-format tokens."""
    for tok in tokens:
        parts = tok.split("/")
        if len(parts) == 3:
            return parts[0], parts[1], parts[2]
        if tok.startswith(("bt", "smpte", "arib", "iec", "gbr", "fcc", "ycgco")):
            return tok, tok, tok
    return "", "", ""


def rotation(s: StreamInfo) -> int:
    """Return the clockwise display rotation (0/90/180/270) of a video stream."""
    m = _ROTATION_RE.search(s.detail)
    if m:
        # ffmpeg prints the counter-clockwise angle; phones' "rotate" tag is clockwise.
        deg = -float(m.group("deg"))
    else:
        t = _ROTATE_TAG_RE.search(s.detail)
        deg = float(t.group("deg")) if t else 0.0
    return round(deg / 90.0) % 4 * 90


def audio_params(s: StreamInfo) -> tuple[int, int]:
    """Return (sample rate, channels) of an audio stream; 0 where unknown."""
    rate, channels = 0, 0
    for f in s.fields[1:]:
        m = re.fullmatch(r"(\d+) Hz", f)
        if m:
            rate = int(m.group(1))
            continue
        layout = f.split("(")[0].strip()
        if layout in _CHANNELS and not channels:
            channels = _CHANNELS[layout]
        m = re.fullmatch(r"(\d+) channels.*", f)
        if m and not channels:
            channels = int(m.group(1))
    return rate, channels


def _parse_clock(value: str) -> float | None:
    """Turn HH:MM:SS.xx into seconds."""
    if value == "N/A":
        return None
    h, m, s = value.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)
