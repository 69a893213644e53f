"""Merge rules of draft reviews, field by field (run on SQLite and on PostgreSQL)."""

from __future__ import annotations

import pytest

from review.extensions import db
from review.models import Comment, DraftField, Review
from review.services.reviews import editing
from tests.reviews.conftest import changes

COMMENT = {"at": 2.5, "text": "这里停顿太久", "visible": True}


@pytest.fixture
def draft(people, make_submission):
    """A claimed draft of r1 and its criteria ids, in rubric order."""
    review = editing.claim(people["reviewer"].id, make_submission())
    return people["reviewer"].id, review.id, list(editing._criteria(review))


def _stored(review_id: int) -> Review:
    db.session.expire_all()
    return db.session.get(Review, review_id)


def _points(review_id: int) -> dict:
    return {s.criterion_id: s.points for s in _stored(review_id).scores}


def test_a_tabs_late_older_edit_never_overwrites_its_newer_one(draft):
    r1, rid, (c1, *_) = draft
    editing.autosave(r1, rid, changes(scores={c1: ("16", None)}, seq=2))  # the newer landed first
    late = editing.autosave(r1, rid, changes(scores={c1: ("1", None)}, seq=1))
    again = editing.autosave(r1, rid, changes(scores={c1: ("16", None)}, seq=2))  # a repeat
    assert late.conflicts == [] and again.conflicts == []
    assert _points(rid) == {c1: 16.0}
    assert late.revisions == again.revisions == {f"points:{c1}": 1}


def test_a_reloaded_tab_based_on_an_old_revision_does_not_conflict_with_itself(draft):
    r1, rid, (c1, c2, *_) = draft
    editing.autosave(r1, rid, changes(scores={c1: ("10", None)}, seq=1))  # keepalive on pagehide
    editing.autosave(r1, rid, changes(scores={c1: ("12", None)}, seq=3))
    # The reloaded page restores its last unconfirmed edit, still based on revision 0.
    restored = editing.autosave(r1, rid, changes(scores={c1: ("12", None), c2: ("8", None)}, seq=3))
    assert restored.conflicts == []
    assert _points(rid) == {c1: 12.0, c2: 8.0}


def test_another_tab_on_the_current_revision_applies(draft):
    r1, rid, (c1, *_) = draft
    first = editing.autosave(r1, rid, changes(scores={c1: ("10", None)}, writer="tabA"))
    base = first.revisions
    second = editing.autosave(r1, rid, changes(scores={c1: ("11", None)}, writer="tabB", base=base))
    assert second.conflicts == [] and second.revisions == {f"points:{c1}": 2}
    assert _points(rid) == {c1: 11.0}
    field = db.session.get(DraftField, (rid, f"points:{c1}"))
    assert (field.revision, field.writer) == (2, "tabB")


def test_a_real_conflict_returns_both_values_and_saves_the_other_fields(draft):
    r1, rid, (c1, c2, *_) = draft
    editing.autosave(r1, rid, changes(scores={c1: ("10", None)}, writer="tabA"))
    result = editing.autosave(
        r1, rid, changes(scores={c1: ("9", None), c2: ("7", "好")}, overall="总评", writer="tabB")
    )
    assert result.conflicts == [
        {"field": f"points:{c1}", "mine": 9.0, "theirs": 10.0, "revision": 1}
    ]
    stored = _stored(rid)
    assert {s.criterion_id: (s.points, s.note) for s in stored.scores} == {
        c1: (10.0, ""),
        c2: (7.0, "好"),
    }
    assert stored.overall_comment == "总评"
    # The reviewer keeps their own value: the change is sent again on top of revision 1.
    kept = editing.autosave(
        r1, rid, changes(scores={c1: ("9", None)}, writer="tabB", seq=9, base=1)
    )
    assert kept.conflicts == [] and _points(rid)[c1] == 9.0


def test_the_same_value_from_another_tab_is_no_conflict(draft):
    r1, rid, (c1, *_) = draft
    editing.autosave(r1, rid, changes(overall="一样的评语", writer="tabA"))
    result = editing.autosave(r1, rid, changes(overall="一样的评语", writer="tabB"))
    assert result.conflicts == [] and result.revisions == {"overall": 1}


def test_comments_are_written_exactly_once_and_deletes_stick(draft):
    r1, rid, _ = draft
    for _attempt in range(3):  # the save, its keepalive copy, the reloaded page's restore
        editing.autosave(r1, rid, changes(comments={"abc123": COMMENT}, seq=4))
    editing.autosave(r1, rid, changes(comments={"def456": {**COMMENT, "text": "结尾"}}, seq=5))
    assert sorted(c.text for c in _stored(rid).comments) == sorted(["这里停顿太久", "结尾"])
    assert db.session.query(Comment).count() == 2

    editing.autosave(r1, rid, changes(comments={"abc123": None}, seq=6))  # deleted
    editing.autosave(r1, rid, changes(comments={"abc123": COMMENT}, seq=4))  # late creation
    assert [c.text for c in _stored(rid).comments] == ["结尾"]

    visible = editing.autosave(
        r1, rid, changes(comments={"def456": {**COMMENT, "text": "结尾", "visible": False}}, seq=7)
    )
    assert visible.revisions == {"comment:def456": 2}
    assert [c.visible_to_activist for c in _stored(rid).comments] == [False]


def test_submit_with_an_open_conflict_is_refused_and_keeps_the_rest(draft):
    r1, rid, criteria = draft
    editing.autosave(r1, rid, changes(overall="甲", writer="tabA"))
    full = changes(scores={c: ("10", None) for c in criteria}, overall="乙", writer="tabB")
    with pytest.raises(editing.DraftConflictError) as refused:
        editing.submit(r1, rid, full)
    assert [c["field"] for c in refused.value.conflicts] == ["overall"]
    stored = _stored(rid)
    assert stored.state == "draft" and stored.overall_comment == "甲"
    assert all(s.points == 10 for s in stored.scores) and len(stored.scores) == len(criteria)
    editing.submit(r1, rid, changes(overall="乙", writer="tabB", seq=50, base=1))
    stored = _stored(rid)
    assert stored.state == "submitted" and stored.overall_comment == "乙"


@pytest.mark.parametrize(
    "bad",
    [
        [{"field": "points:1", "value": 1, "base": 0, "writer": "bad writer!", "seq": 1}],
        [{"field": "points:1", "value": 1, "base": "x", "writer": "t", "seq": 1}],
        [{"value": 1}],
        {"field": "overall"},
    ],
)
def test_malformed_changes_are_refused_in_chinese(bad):
    from review.exceptions import ValidationError
    from review.services.drafts import parse_changes

    with pytest.raises(ValidationError, match="评分数据格式不正确"):
        parse_changes(bad)


def test_unknown_fields_and_empty_comments_are_refused(draft):
    from review.exceptions import ValidationError

    r1, rid, _ = draft
    with pytest.raises(ValidationError, match="评分项不存在"):
        editing.autosave(r1, rid, changes(scores={999999: ("1", None)}))
    with pytest.raises(ValidationError, match="评语不能为空"):
        editing.autosave(r1, rid, changes(comments={"x1": {"at": 1, "text": "  "}}))
