"""Cut a 16 kHz mono WAV into chunks at silences, so several workers transcribe one video.

A cut is always the middle of a pause that Silero VAD (faster-whisper's) found between two
stretches of speech, so no word is split; chunks are about `target` seconds long (between 2/3
and 4/3 of it where the pauses allow), and audio no longer than 4/3 × target stays one chunk.
"""

from __future__ import annotations

import math
import os
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .atomic import temp_sibling

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

SAMPLE_RATE = 16000
# Pauses used for cutting: at least this long in the VAD's view, and the speech on both sides
# padded by VAD_PAD_MS, so that a cut lies ≥ 0.15 s from the nearest speech sound.
MIN_PAUSE_MS = 500
VAD_PAD_MS = 150
MIN_CHUNK = 5.0  # seconds: a cut outside the wanted range never leaves a chunk shorter
SENTENCE_PAUSE = 0.6  # seconds: a pause this long usually ends a sentence; preferred for cuts


@dataclass(frozen=True)
class Span:
    """A stretch of the audio, in seconds."""

    start: float
    end: float

    @property
    def duration(self) -> float:
        """Return the length in seconds."""
        return self.end - self.start


def wav_duration(path: os.PathLike[str] | str) -> float:
    """Return the duration of a WAV file in seconds (from its header)."""
    with wave.open(os.fspath(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


def read_wav(path: os.PathLike[str] | str) -> npt.NDArray[np.float32]:
    """Return a 16-bit mono WAV's samples as float32 in -1..1."""
    import numpy as np

    with wave.open(os.fspath(path), "rb") as wav:
        frames = wav.readframes(wav.getnframes())
    return np.frombuffer(frames, dtype=np.int16).astype(np.float32) / 32768.0


def speech_spans(path: os.PathLike[str] | str) -> list[Span]:
    """Return where the WAV has speech (Silero VAD with short pauses kept apart)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    audio = read_wav(path)
    options = VadOptions(min_silence_duration_ms=MIN_PAUSE_MS, speech_pad_ms=VAD_PAD_MS)
    return [
        Span(t["start"] / SAMPLE_RATE, t["end"] / SAMPLE_RATE)
        for t in get_speech_timestamps(audio, options)
    ]


def plan_chunks(duration: float, speech: Sequence[Span], target: float) -> list[Span]:
    """Return consecutive chunks covering 0..duration, cut only in pauses between speech.

    target <= 0, or a duration up to 4/3 × target, gives one chunk. Where no pause falls in the
    wanted range the cut moves to the nearest pause outside it (never inside speech).
    """
    if target <= 0 or duration <= target * 4 / 3:
        return [Span(0.0, duration)]
    low, high = target * 2 / 3, target * 4 / 3
    pauses = [
        Span(a.end, b.start) for a, b in zip(speech, speech[1:], strict=False) if b.start > a.end
    ]
    cuts: list[float] = []
    start = 0.0
    while duration - start > high:
        left = duration - start
        want = start + left / max(round(left / target), 1)  # even chunks over what is left
        options = [p for p in pauses if start + low <= _mid(p) <= start + high]
        if duration - start - low > 0:  # leave at least `low` for the last chunk if possible
            options = [p for p in options if duration - _mid(p) >= low] or options
        long_ones = [p for p in options if p.duration >= SENTENCE_PAUSE]
        pool = long_ones or options
        if pool:
            cut = _mid(min(pool, key=lambda p: abs(_mid(p) - want)))
        else:  # no pause in range: the pause nearest to it, but no sliver of a chunk
            near = [p for p in pauses if start + MIN_CHUNK < _mid(p) < duration - MIN_CHUNK]
            if not near:
                break
            cut = _mid(min(near, key=lambda p: max(start + low - _mid(p), _mid(p) - start - high)))
        cuts.append(round(cut, 3))
        start = cut
    edges = [0.0, *cuts, duration]
    return [Span(a, b) for a, b in zip(edges, edges[1:], strict=False)]


def _mid(span: Span) -> float:
    return (span.start + span.end) / 2


def write_slice(
    src: os.PathLike[str] | str, out: os.PathLike[str] | str, start: float, end: float
) -> Path:
    """Copy start..end seconds of a WAV into out (same format), through a temp file."""
    out = Path(out)
    tmp = temp_sibling(out)
    with wave.open(os.fspath(src), "rb") as reader:
        rate = reader.getframerate()
        first = min(max(math.floor(start * rate), 0), reader.getnframes())
        last = min(math.ceil(end * rate), reader.getnframes())
        reader.setpos(first)
        frames = reader.readframes(max(last - first, 0))
        with wave.open(os.fspath(tmp), "wb") as writer:
            writer.setparams(reader.getparams())
            writer.writeframes(frames)
    os.replace(tmp, out)
    return out
