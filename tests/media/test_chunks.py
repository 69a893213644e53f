"""The split of a WAV into chunks: only in pauses, about the target size, short audio whole."""

from __future__ import annotations

import wave

import numpy as np
import pytest

from media.chunks import (
    SAMPLE_RATE,
    Span,
    plan_chunks,
    read_wav,
    speech_spans,
    wav_duration,
    write_slice,
)


def _speech_every(seconds: float, word: float, pause: float) -> list[Span]:
    """Speech of `word` seconds, then `pause` seconds of silence, repeated."""
    spans, t = [], 0.0
    while t + word <= seconds:
        spans.append(Span(t, t + word))
        t += word + pause
    return spans


def _assert_cuts_in_pauses(chunks: list[Span], speech: list[Span]) -> None:
    for cut in (c.end for c in chunks[:-1]):
        assert not any(s.start < cut < s.end for s in speech), cut


@pytest.mark.parametrize("duration", [5.0, 30.0, 59.9, 60.0])
def test_short_audio_stays_one_chunk(duration):
    speech = _speech_every(duration, 4.0, 0.8)
    assert plan_chunks(duration, speech, 45) == [Span(0.0, duration)]


def test_target_zero_is_one_job():
    assert plan_chunks(600.0, _speech_every(600, 4.0, 0.8), 0) == [Span(0.0, 600.0)]


def test_three_minutes_cut_in_pauses_into_sizes_of_30_to_60():
    speech = _speech_every(180.0, 6.3, 0.9)
    chunks = plan_chunks(180.0, speech, 45)
    assert chunks[0].start == 0.0 and chunks[-1].end == 180.0
    assert all(a.end == b.start for a, b in zip(chunks, chunks[1:], strict=False))
    assert len(chunks) == 4
    assert all(30 <= c.duration <= 60 for c in chunks), chunks
    _assert_cuts_in_pauses(chunks, speech)


def test_sentence_pauses_preferred_over_breaths():
    # Short breaths (0.3 s) every 2 s, a sentence pause (1 s) near 40 s and near 85 s.
    speech, sentence_ends, t = [], [], 0.0
    while t < 120:
        end = min(t + 2.0, 120.0)
        speech.append(Span(t, end))
        long_pause = any(end <= mark < end + 2.3 for mark in (40, 85))
        if long_pause:
            sentence_ends.append(end + 0.5)
        t = end + (1.0 if long_pause else 0.3)
    chunks = plan_chunks(120.0, speech, 45)
    assert [c.end for c in chunks[:-1]] == pytest.approx(sentence_ends)
    _assert_cuts_in_pauses(chunks, speech)


def test_no_pause_in_range_moves_the_cut_to_the_nearest_pause():
    speech = [Span(0.0, 75.0), Span(76.0, 100.0), Span(101.0, 150.0)]
    chunks = plan_chunks(150.0, speech, 45)
    assert [c.end for c in chunks] == [75.5, 100.5, 150.0]
    _assert_cuts_in_pauses(chunks, speech)


def test_no_pause_at_all_stays_one_chunk():
    assert plan_chunks(200.0, [Span(0.0, 200.0)], 45) == [Span(0.0, 200.0)]


def test_real_speech_is_cut_where_the_signal_is_silent(speech_wav, tmp_path):
    duration = wav_duration(speech_wav)
    speech = speech_spans(speech_wav)
    chunks = plan_chunks(duration, speech, 20)  # a small target: several cuts in 65 s
    assert len(chunks) >= 3
    _assert_cuts_in_pauses(chunks, speech)
    audio = read_wav(speech_wav)
    for cut in (c.end for c in chunks[:-1]):
        around = audio[int((cut - 0.1) * SAMPLE_RATE) : int((cut + 0.1) * SAMPLE_RATE)]
        rms_db = 20 * np.log10(np.sqrt(np.mean(around**2)) + 1e-9)
        assert rms_db < -45, (cut, rms_db)  # the TTS speech itself measures about -20 dBFS
    # Slices are exact, in the source's format, and together are the whole file.
    total = 0
    for i, chunk in enumerate(chunks):
        out = write_slice(speech_wav, tmp_path / f"{i}.wav", chunk.start, chunk.end)
        with wave.open(str(out), "rb") as wav:
            assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (16000, 1, 2)
            assert abs(wav.getnframes() / 16000 - chunk.duration) < 0.001
            total += wav.getnframes()
    assert abs(total - len(audio)) <= len(chunks)
