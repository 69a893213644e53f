"""Point bands on rubric levels: parsed from the editor, frozen with their version, on the page."""

from __future__ import annotations

import pytest

from review.exceptions import ValidationError
from review.extensions import db
from review.models import Comment, Period
from review.services import rubrics
from review.services.reviews import editing
from tests.reviews.conftest import changes, login


def test_default_rubric_has_sensible_bands(people):
    version = people["period"].rubric_version
    first = version.criteria[0]
    assert [(lv["low"], lv["high"]) for lv in first.levels] == [(17, 20), (12, 16), (0, 11)]
    assert first.levels[0]["text"] == "动机端正，表述具体真诚"
    assert rubrics.default_bands(10) == [[9, 10], [6, 8], [0, 5]]
    assert rubrics.default_bands(100) == [[85, 100], [60, 84], [0, 59]]


@pytest.mark.parametrize(
    ("line", "text", "band"),
    [
        ("17–20 动机端正", "动机端正", [17, 20]),
        ("12-16分：基本端正", "基本端正", [12, 16]),
        ("0～11 模糊", "模糊", [0, 11]),
        ("8.5-10 好", "好", [8.5, 10]),
        ("认识深刻", "认识深刻", None),
        ("2026年学习体会", "2026年学习体会", None),
    ],
)
def test_a_level_line_carries_its_band(line, text, band):
    assert rubrics.parse_level(line) == (text, band)
    if band:
        assert rubrics.parse_level(rubrics.format_level(text, band)) == (text, band)


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["15–25 超出满分"], "应在 0 到 20 分之间"),
        (["16–12 倒序"], "从低分写到高分"),
        (["12–20 高", "0–12 低"], "重叠"),
        (["12–20"], "缺少等级描述"),
    ],
)
def test_bad_bands_are_refused_in_chinese(people, lines, message):
    with pytest.raises(ValidationError, match=message):
        rubrics.save_rubric(people["period"].id, [rubrics.CriterionInput("入党动机", 20, lines)])


def test_bands_of_a_used_version_are_frozen_editing_makes_a_new_version(people, make_submission):
    period = people["period"]
    editing.claim(people["reviewer"].id, make_submission())  # freezes version 1
    first = period.rubric_version
    items = [rubrics.CriterionInput("入党动机", 20, ["18–20 很好", "0–17 一般"])]
    new = rubrics.save_rubric(period.id, items)
    assert new.id != first.id and new.number == 2
    assert new.criteria[0].bands == [[18, 20], [0, 17]]
    db.session.expire_all()
    assert first.criteria[0].bands == [[17, 20], [12, 16], [0, 11]]  # unchanged


def test_admin_editor_round_trips_bands(people, client):
    period = people["period"]
    login(client, "admin")
    page = client.get(f"/admin/periods/{period.id}/rubric").get_data(as_text=True)
    assert "17–20 动机端正，表述具体真诚" in page
    form = {
        "title": ["入党动机"],
        "max_points": ["10"],
        "descriptors": ["9–10 很好\n5–8 较好\n0-4 一般"],
    }
    resp = client.post(f"/admin/periods/{period.id}/rubric", data=form, follow_redirects=True)
    assert "评分标准已保存" in resp.get_data(as_text=True)
    db.session.expire_all()
    crit = db.session.get(Period, period.id).rubric_version.criteria[0]
    assert crit.descriptors == ["很好", "较好", "一般"] and crit.bands == [[9, 10], [5, 8], [0, 4]]
    bad = {"title": ["入党动机"], "max_points": ["10"], "descriptors": ["9–12 很好"]}
    resp = client.post(f"/admin/periods/{period.id}/rubric", data=bad, follow_redirects=True)
    assert "应在 0 到 10 分之间" in resp.get_data(as_text=True)


def test_review_page_shows_bands_with_keys(people, client, make_submission):
    sid = make_submission()
    login(client, "r1")
    html = client.get(f"/reviews/{sid}").get_data(as_text=True)
    assert html.count('class="band"') == 15
    assert 'data-top="20" data-key="q"' in html and 'data-top="11" data-key="e"' in html


def test_a_time_coded_comment_keeps_its_criterion(people, make_submission):
    review = editing.claim(people["reviewer"].id, make_submission())
    c1, c2, *_ = editing._criteria(review)
    value = {"at": 2.0, "text": "联系实际", "visible": False, "criterion": c2}
    stray = {"at": 3.0, "text": "别的评分标准", "visible": False, "criterion": 99999}
    editing.autosave(review.reviewer_id, review.id, changes(comments={"a1": value, "a2": stray}))
    db.session.expire_all()
    stored = {c.client_id: c.criterion_id for c in db.session.scalars(db.select(Comment))}
    assert stored == {"a1": c2, "a2": None}  # a criterion of another rubric is dropped
