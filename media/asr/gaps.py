"""Speech the recogniser skipped: find it with the VAD and transcribe it again on its own.

Whisper decodes 30 s windows. Now and then a window of clear speech comes back with no text
at all: the decoder ends it at once and moves on to the next window. Seen with the bundled
base model, beam 5 and the glossary prompt, on the 65 s test clip after AAC at 64 kbit/s: the
whole oath (27-54 s) was missing, so the oath check would have called it not recited. It
depends on the CPU's int8 kernels (other machines decoded the same file whole). No engine
setting avoided it: no_speech_threshold=None, a temperature fallback, compression_ratio_threshold
=None and no VAD all skipped the same window; only leaving the glossary prompt out did not, and
the prompt is worth more than that everywhere else (docs/asr_quality.md).

So after each transcription the VAD's speech spans are compared with the segments' times;
each stretch of speech of MIN_GAP seconds or more that no segment covers is cut out and
transcribed again by itself, without the prompt, and its segments are put in their place.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from ..chunks import Span, speech_spans, write_slice
from .base import Segment, Transcriber, Transcript

MIN_GAP = 3.0  # seconds of speech without text before it is transcribed again
SLACK = 0.5  # seconds: segment times are this far off the VAD's edges without a gap
PAD = 0.3  # seconds of audio kept on each side of a gap when it is cut out
JOIN = 1.5  # seconds: gaps this close are transcribed as one (more context for the decoder)


def uncovered(
    segments: Sequence[Segment], speech: Sequence[Span], min_gap: float = MIN_GAP
) -> list[Span]:
    """Return the stretches of speech, min_gap seconds or longer, that no segment covers."""
    covered = sorted((s.start - SLACK, s.end + SLACK) for s in segments)
    gaps: list[Span] = []
    for span in speech:
        start = span.start
        for begin, end in covered:
            if end <= start or begin >= span.end:
                continue
            if begin > start:
                gaps.append(Span(start, begin))
            start = max(start, end)
        if start < span.end:
            gaps.append(Span(start, span.end))
    merged: list[Span] = []
    for gap in gaps:  # speech spans a short pause apart make one gap
        if merged and gap.start - merged[-1].end <= JOIN:
            merged[-1] = Span(merged[-1].start, gap.end)
        else:
            merged.append(gap)
    return [g for g in merged if g.duration >= min_gap]


def fill_gaps(
    transcriber: Transcriber,
    audio: os.PathLike[str] | str,
    transcript: Transcript,
    *,
    beam_size: int,
    hotwords: str | None = None,
    speech: Sequence[Span] | None = None,
) -> Transcript:
    """Return transcript with the speech it skipped transcribed again and put in its place.

    audio is the 16 kHz mono WAV that was transcribed; the gaps' audio is cut from it.
    """
    gaps = uncovered(transcript.segments, speech_spans(audio) if speech is None else speech)
    if not gaps:
        return transcript
    found = list(transcript.segments)
    with tempfile.TemporaryDirectory(prefix="huibao-gap-") as tmp:
        for k, gap in enumerate(gaps):
            start = max(0.0, gap.start - PAD)
            piece = write_slice(audio, Path(tmp) / f"gap-{k}.wav", start, gap.end + PAD)
            again = transcriber.transcribe(
                piece, language=transcript.language, hotwords=hotwords, beam_size=beam_size
            )
            found += [
                replace(s, start=round(s.start + start, 3), end=round(s.end + start, 3))
                for s in again.segments
            ]
    return replace(transcript, segments=sorted(found, key=lambda s: (s.start, s.end)))


def transcribe_whole(
    transcriber: Transcriber,
    audio: os.PathLike[str] | str,
    *,
    initial_prompt: str | None,
    hotwords: str | None,
    beam_size: int,
    on_progress: Callable[[float], None] | None = None,
) -> Transcript:
    """Transcribe a WAV as the product does: VAD on, then the skipped speech filled in."""
    transcript = transcriber.transcribe(
        audio,
        language="zh",
        initial_prompt=initial_prompt,
        hotwords=hotwords,
        vad=True,
        beam_size=beam_size,
        on_progress=on_progress,
    )
    return fill_gaps(transcriber, audio, transcript, beam_size=beam_size, hotwords=hotwords)
