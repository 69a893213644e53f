"""Oath recitation check: constructed transcripts, and the shared speech clips with the model."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from review.analysis.oath import OATH_TEXT, PHRASES, check_oath
from tests.analyses.conftest import DATA, segments

HOMOPHONES = (
    OATH_TEXT.replace("志愿", "支援")
    .replace("纲领", "钢领")
    .replace("履行", "旅行")
    .replace("忠诚", "终成")
    .replace("奋斗", "分斗")
)


def said(*phrases: str, start: float = 0.0, per_phrase: float = 1.5) -> list:
    """Return one segment per phrase, as the recogniser would time them."""
    rows = [
        (start + i * per_phrase, start + (i + 1) * per_phrase, p) for i, p in enumerate(phrases)
    ]
    return segments(rows)


def statuses(result) -> dict[str, str]:
    return {p.text: p.status for p in result.phrases}


def test_exact_recitation_is_complete():
    result = check_oath(said(*PHRASES, start=30.0))
    assert result.status == "complete" and result.missing == []
    assert set(statuses(result).values()) == {"present"}
    assert (result.start, result.end) == (30.0, 48.0)
    assert result.coverage == 1.0 and result.cer == 0.0 and result.in_order


def test_homophones_do_not_count_against_the_student():
    result = check_oath(segments([(0.0, 19.9, HOMOPHONES)]))
    assert result.status == "complete"
    heard = {p.text: p.heard for p in result.phrases}
    assert heard["拥护党的纲领"] == "拥护党的钢领" and heard["对党忠诚"] == "对党终成"
    assert result.cer > 0  # the characters differ, and the result says so
    assert all(p.sound_errors == 0 for p in result.phrases)


def test_left_out_phrases_are_missing():
    kept = [p for p in PHRASES if p not in ("遵守党的章程", "保守党的秘密", "永不叛党")]
    result = check_oath(said(*kept))
    assert result.status == "incomplete"
    assert result.missing == ["遵守党的章程", "保守党的秘密", "永不叛党"]
    assert statuses(result)["严守党的纪律"] == "present"


def test_reordered_phrases_are_present_but_out_of_order():
    order = list(PHRASES)
    order[1], order[8] = order[8], order[1]
    result = check_oath(said(*order))
    assert result.status == "complete" and not result.in_order


@pytest.mark.parametrize(
    ("replacement", "expected"),
    [
        ("遵守党的规定", "differs"),  # a close but different wording
        ("热爱伟大祖国", "missing"),  # something else entirely
    ],
)
def test_replaced_phrase(replacement, expected):
    phrases = [replacement if p == "遵守党的章程" else p for p in PHRASES]
    result = check_oath(said(*phrases))
    assert statuses(result)["遵守党的章程"] == expected
    assert sum(s == "present" for s in statuses(result).values()) == len(PHRASES) - 1
    if expected == "differs":
        phrase = next(p for p in result.phrases if p.text == "遵守党的章程")
        assert phrase.heard == replacement and phrase.start == pytest.approx(3.0)


def test_oath_found_inside_a_longer_report():
    intro = "敬爱的党组织：我要对党忠诚，积极工作，这是我这个季度的思想汇报。下面我重温入党誓词。"
    result = check_oath(
        segments([(0.0, 12.0, intro), (12.0, 31.0, OATH_TEXT), (31.0, 35.0, "请党组织考验我。")])
    )
    assert result.status == "complete"
    assert result.start == pytest.approx(12.0) and result.end == pytest.approx(31.0)


@pytest.mark.parametrize(
    "text",
    [
        "敬爱的党组织：这个季度我认真学习了党的二十大报告，参加了志愿服务。",
        # an application, not the oath
        "我志愿加入中国共产党，愿意为共产主义事业奋斗终身，请党组织考验我。",
        "",
    ],
)
def test_no_oath_is_not_found_rather_than_a_low_score(text):
    result = check_oath(segments([(0.0, 8.0, text)]) if text else [])
    assert result.status == "not_found"
    assert result.phrases == [] and result.missing == list(PHRASES)


@pytest.fixture(scope="module")
def transcriber(tmp_path_factory):
    """The bundled Whisper model, on CPU, as the pipeline runs it."""
    from media import get_transcriber

    cache = Path(
        os.environ.get("HUIBAO_TEST_MODEL_CACHE", Path.home() / ".cache" / "huibao-models")
    )
    return get_transcriber("faster-whisper", None, cache_dir=cache, device="cpu")


_HEARD: dict[str, list] = {}  # one Whisper run per clip for the whole module


def _heard(transcriber, name: str) -> list:
    from media.asr import DOMAIN_PROMPT_ZH

    if name not in _HEARD:
        result = transcriber.transcribe(
            DATA / name, language="zh", initial_prompt=DOMAIN_PROMPT_ZH, vad=True, beam_size=5
        )
        _HEARD[name] = list(result.segments)
    return _HEARD[name]


def _corrected(segments: list) -> list:
    """Return the segments as the pipeline stores them: Party terms corrected."""
    from media.asr import Segment
    from media.terms import correct_segments

    fixed = correct_segments([s.text for s in segments])
    return [Segment(s.start, s.end, c.text) for s, c in zip(segments, fixed, strict=True)]


@pytest.mark.slow
def test_shared_oath_clip_has_every_phrase(transcriber):
    result = check_oath(_heard(transcriber, "oath.flac"))
    assert result.status == "complete", result
    assert result.missing == []
    assert result.start == pytest.approx(0.0, abs=1.0) and result.end == pytest.approx(
        19.9, abs=1.0
    )


@pytest.mark.slow
def test_shared_partial_oath_clip_misses_three_phrases(transcriber):
    result = check_oath(_heard(transcriber, "oath_partial.flac"))
    assert result.status == "incomplete"
    assert result.missing == ["保守党的秘密", "随时准备为党和人民牺牲一切", "永不叛党"]
    assert sum(p.status == "present" for p in result.phrases) == 9
    assert result.end == pytest.approx(14.3, abs=1.0)


@pytest.mark.slow
def test_term_correction_keeps_the_oath_check_exact(transcriber):
    """Corrected terms bring the oath closer, and really missing phrases stay missing."""
    heard = _heard(transcriber, "oath_partial.flac")
    raw, fixed = check_oath(heard), check_oath(_corrected(heard))
    assert fixed.status == "incomplete"
    assert fixed.missing == ["保守党的秘密", "随时准备为党和人民牺牲一切", "永不叛党"]
    assert fixed.cer <= raw.cer
    full = check_oath(_corrected(_heard(transcriber, "oath.flac")))
    assert full.status == "complete" and full.missing == []
