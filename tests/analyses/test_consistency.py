"""Paper/video consistency: a reading, a summary and an unrelated talk are told apart."""

from __future__ import annotations

import pytest

from review.analysis.consistency import READING, SUMMARY, compare
from review.analysis.oath import OATH_TEXT
from tests.analyses.conftest import segments
from tests.analyses.texts import OTHER, REPORT, REPORT_HEARD, REPORT_SUMMARY


def test_reading_of_the_paper():
    result = compare(REPORT, segments(REPORT_HEARD))
    assert result["verdict"] == "reading"
    assert result["video_in_paper"] >= READING and result["paper_in_video"] >= READING
    first = result["passages"][0]
    assert "二十大报告" in first["paper"] and "二十大报告" in first["video"]
    assert first["start"] == pytest.approx(0.2, abs=0.5) and first["end"] > 20


def test_reading_plus_the_oath_is_still_a_reading():
    result = compare(REPORT, segments(REPORT_HEARD + [(27.0, 46.0, OATH_TEXT)]))
    assert result["verdict"] == "reading"


def test_summary_in_other_words():
    result = compare(REPORT, segments(REPORT_SUMMARY))
    assert result["verdict"] == "summary"
    assert SUMMARY <= result["video_in_paper"] < READING
    assert any("主题党日" in p["video"] for p in result["passages"])


def test_unrelated_talk():
    result = compare(REPORT, segments([(0.0, 30.0, OTHER)]))
    assert result["verdict"] == "different"
    assert result["video_in_paper"] < 0.1 and result["paper_in_video"] < 0.1


def test_too_little_text_is_not_compared():
    result = compare("", segments(REPORT_HEARD))
    assert result["verdict"] == "not_comparable" and result["video_in_paper"] is None


def test_a_misheard_first_character_stays_in_the_passage():
    """Heard "尽爱的党组织" for "敬爱的党组织": the passage still starts with the greeting's
    first character on both sides (it showed "爱的党组织")."""
    body = "这个季度我认真学习了党章，参加了社区志愿服务，对党的认识更加深刻。"
    heard = [(0.0, 3.0, "尽爱的党组织"), (3.0, 8.0, body[:22]), (8.0, 12.0, body[22:])]
    first = compare("敬爱的党组织：\n" + body, segments(heard))["passages"][0]
    assert first["paper"].startswith("敬爱的党组织") and first["video"].startswith("尽爱的党组织")
    assert first["start"] == 0.0


def test_a_passage_is_not_widened_over_an_insertion():
    """Extra words before the shared run on one side only are not taken into the passage."""
    body = "这个季度我认真学习了党章，参加了社区志愿服务，对党的认识更加深刻。"
    first = compare(body, segments([(0.0, 9.0, "大家好" + body)]))["passages"][0]
    assert first["paper"].startswith("这个季度") and first["video"].startswith("这个季度")
