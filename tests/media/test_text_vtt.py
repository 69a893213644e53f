"""Text helpers (Simplified conversion, CER) and WebVTT output."""

from __future__ import annotations

import pytest

from media import Segment, cer, normalize_for_cer, parse_vtt, to_simplified, write_vtt
from media.text import edit_distance
from media.vtt import format_timestamp


def test_to_simplified():
    assert to_simplified("我志願加入中國共產黨") == "我志愿加入中国共产党"


def test_normalize_for_cer():
    assert normalize_for_cer("對黨忠誠，積極工作。 Hello！") == "对党忠诚积极工作hello"


@pytest.mark.parametrize(
    ("a", "b", "d"),
    [
        ("", "", 0),
        ("abc", "", 3),
        ("kitten", "sitting", 3),
        ("中国共产党", "中国共党", 1),
        ("党", "堂", 1),
    ],
)
def test_edit_distance(a, b, d):
    assert edit_distance(a, b) == d == edit_distance(b, a)


def test_cer():
    assert cer("为人民服务。", "为人民服务") == 0
    assert cer("为人民服务", "为人名服务") == pytest.approx(0.2)
    assert cer("為人民服務", "为人民服务") == 0
    assert cer("", "") == 0 and cer("", "x") == 1


@pytest.mark.parametrize(
    ("secs", "text"),
    [
        (0, "00:00:00.000"),
        (1.5, "00:00:01.500"),
        (61.0004, "00:01:01.000"),
        (3723.456, "01:02:03.456"),
    ],
)
def test_format_timestamp(secs, text):
    assert format_timestamp(secs) == text


def test_write_vtt_round_trip(tmp_path):
    segments = [
        Segment(0.0, 2.5, "我志愿加入中国共产党"),
        Segment(2.5, 65.25, "拥护党的纲领\n遵守 --> 章程"),
    ]
    path = write_vtt(segments, tmp_path / "t.vtt")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("WEBVTT\n\n")
    assert "1\n00:00:00.000 --> 00:00:02.500\n我志愿加入中国共产党\n" in text
    assert "00:00:02.500 --> 00:01:05.250\n拥护党的纲领 遵守 → 章程\n" in text
    assert [s.start for s in parse_vtt(text)] == [0.0, 2.5]
    assert parse_vtt(text)[0] == segments[0]
    assert [p.name for p in tmp_path.iterdir()] == ["t.vtt"]
