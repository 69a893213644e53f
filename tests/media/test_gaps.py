"""Speech the recogniser skipped is found with the VAD and transcribed again (media/asr/gaps.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from media import cer, get_transcriber
from media.asr import DOMAIN_PROMPT_ZH, Segment
from media.asr.gaps import transcribe_whole, uncovered
from media.chunks import Span, speech_spans
from media.ffmpeg_bin import run_ffmpeg
from media.text import normalize_for_cer

DATA = Path(__file__).resolve().parent.parent / "data"
NAMES = ("report.flac", "oath.flac", "oath_partial.flac")


def _seg(start: float, end: float) -> Segment:
    return Segment(start=start, end=end, text="文字")


def test_speech_without_a_segment_is_a_gap():
    speech = [Span(0.0, 20.0), Span(27.0, 40.0), Span(41.0, 55.0)]
    segments = [_seg(0.2, 14.8), _seg(14.8, 19.7), _seg(54.1, 64.0)]
    # 27-40 and 41-54.1: one pause of a second apart, one gap; segment edges within SLACK
    # of the VAD's are no gap.
    assert uncovered(segments, speech) == [Span(27.0, 53.6)]


def test_short_or_covered_speech_is_no_gap():
    speech = [Span(0.0, 10.0), Span(12.0, 14.0)]
    assert uncovered([_seg(0.0, 10.0)], speech) == []  # 2 s left: under MIN_GAP
    assert uncovered([_seg(0.0, 5.0), _seg(8.0, 14.0)], [Span(0.0, 14.0)]) == []
    assert uncovered([], [Span(3.0, 9.0)]) == [Span(3.0, 9.0)]


@pytest.fixture(scope="module")
def phone_wav(tmp_path_factory) -> Path:
    """The three fixtures, 1.5 s apart, through AAC at 64 kbit/s (as a phone's MP4 gives them)."""
    work = tmp_path_factory.mktemp("gaps")
    pads = ";".join(f"[{i}:a]aresample=16000,apad=pad_dur=1.5[a{i}]" for i in range(3))
    graph = f"{pads};[a0][a1][a2]concat=n=3:v=0:a=1[out]"
    inputs = [arg for name in NAMES for arg in ("-i", str(DATA / name))]
    aac, wav = work / "speech.m4a", work / "speech.wav"
    for args in (
        [*inputs, "-filter_complex", graph, "-map", "[out]", "-c:a", "aac", "-b:a", "64k", aac],
        ["-i", aac, "-vn", "-ac", "1", "-ar", "16000", wav],
    ):
        assert run_ffmpeg(["-y", *map(str, args)], timeout=60).returncode == 0
    return wav


@pytest.mark.slow
def test_no_speech_is_left_untranscribed(tmp_path_factory, phone_wav):
    """Real Whisper. On this project's CI machine the plain decode returns nothing for the
    window of 27-54 s (the whole oath); elsewhere it may decode it whole. Either way the
    product's transcription leaves no stretch of speech without text, and has the oath."""
    transcriber = get_transcriber(
        "faster-whisper", None, cache_dir=tmp_path_factory.mktemp("models"), device="cpu"
    )
    result = transcribe_whole(
        transcriber, phone_wav, initial_prompt=DOMAIN_PROMPT_ZH, hotwords=None, beam_size=5
    )
    assert uncovered(result.segments, speech_spans(phone_wav)) == []
    rows = (DATA / "texts.tsv").read_text(encoding="utf-8").splitlines()[1:]
    texts = dict(row.split("\t", 1) for row in rows)
    truth = normalize_for_cer("".join(texts[n] for n in NAMES))
    text = normalize_for_cer(result.text)
    assert cer(truth, text) <= 0.15, text
    assert "加入中国共产党" in text
    starts = [s.start for s in result.segments]
    assert starts == sorted(starts)
