"""Review services: claiming and locks, autosave versions, submitting, double marking, the queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from review.exceptions import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from review.extensions import db
from review.models import AuditEvent, Period, Review, Submission, TranscriptSegment
from review.services.pagination import CursorError
from review.services.reviews import corrections, editing, queue
from tests.reviews.conftest import changes


def full_scores(review: Review, points: float = 15, *, drop_last: bool = False) -> list:
    """Return the changes that score every criterion of the review's rubric."""
    criteria = list(editing._criteria(review))
    if drop_last:
        criteria.pop()
    return changes(scores={cid: (points, f"说明{cid}") for cid in criteria})


def state_of(submission_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Submission, submission_id).state


def test_claim_starts_review_freezes_rubric_and_locks(more_people, make_submission):
    sid = make_submission()
    r1, r3 = more_people["reviewer"].id, more_people["reviewer_c"].id
    review = editing.claim(r1, sid)
    assert review.state == "draft" and review.revision == 0
    assert review.claimed_until > datetime.now(UTC) + timedelta(hours=7, minutes=59)
    assert state_of(sid) == "in_review"
    assert db.session.get(Period, more_people["period"].id).rubric_version.frozen is True
    with pytest.raises(ConflictError, match="王老师领取"):
        editing.claim(r3, sid)
    assert queue.next_ungraded(r3) is None
    row = queue.list_queue(r3, queue.QueueFilters(state="all")).rows[0]
    assert row.claimed_by == "王老师" and row.mine is None
    assert editing.claim(r1, sid).id == review.id  # resuming renews, never duplicates
    review.claimed_until = datetime.now(UTC) - timedelta(minutes=1)  # lock ran out
    db.session.commit()
    assert queue.next_ungraded(r3) == sid
    assert editing.claim(r3, sid).reviewer_id == r3


def test_only_reviewers_of_the_branch_can_claim(more_people, make_submission):
    sid = make_submission()
    with pytest.raises(PermissionDeniedError):
        editing.claim(more_people["reviewer_b"].id, sid)
    with pytest.raises(PermissionDeniedError):
        editing.claim(more_people["committee"].id, sid)


def test_not_yet_submitted_is_not_claimable(people, make_submission):
    sid = make_submission()
    db.session.get(Submission, sid).current.submitted_at = None
    db.session.commit()
    with pytest.raises(ConflictError, match="不在待审阅状态"):
        editing.claim(people["reviewer"].id, sid)


def test_autosave_saves_fields(people, make_submission):
    sid = make_submission()
    r1 = people["reviewer"].id
    review = editing.claim(r1, sid)
    first = next(iter(editing._criteria(review)))
    saved = editing.autosave(
        r1,
        review.id,
        changes(
            scores={first: ("12", "好")},
            overall="总体不错",
            comments={"k1": {"at": 3.5, "text": "这里声音小", "visible": True}},
        ),
    )
    assert saved.conflicts == [] and saved.revisions == {
        f"points:{first}": 1,
        f"note:{first}": 1,
        "overall": 1,
        "comment:k1": 1,
    }
    db.session.expire_all()
    review = db.session.get(Review, review.id)
    assert review.overall_comment == "总体不错"
    assert [(s.points, s.note) for s in review.scores] == [(12.0, "好")]
    assert [
        (c.client_id, c.at_seconds, c.text, c.visible_to_activist) for c in review.comments
    ] == [("k1", 3.5, "这里声音小", True)]


@pytest.mark.parametrize("points", [21, -1, "abc"])
def test_autosave_refuses_points_outside_the_range(people, make_submission, points):
    sid = make_submission()
    review = editing.claim(people["reviewer"].id, sid)
    first = next(iter(editing._criteria(review)))
    with pytest.raises(ValidationError, match="入党动机"):
        editing.autosave(
            people["reviewer"].id, review.id, changes(scores={first: (points, None)}, overall="x")
        )
    assert db.session.get(Review, review.id).overall_comment == ""  # nothing half-saved


def test_autosave_of_someone_elses_review_is_not_found(more_people, make_submission):
    sid = make_submission()
    review = editing.claim(more_people["reviewer"].id, sid)
    with pytest.raises(NotFoundError):
        editing.autosave(more_people["reviewer_c"].id, review.id, changes(overall="x"))


def test_submit_needs_every_criterion_then_freezes(people, make_submission):
    sid = make_submission()
    r1 = people["reviewer"].id
    review = editing.claim(r1, sid)
    with pytest.raises(ValidationError, match="还有 1 项没有打分：入党誓词"):
        editing.submit(r1, review.id, full_scores(review, drop_last=True))
    db.session.expire_all()
    kept = db.session.get(Review, review.id)  # what was typed is saved even so
    assert kept.state == "draft" and len([s for s in kept.scores if s.points]) == 4
    editing.submit(r1, review.id, full_scores(review))
    assert state_of(sid) == "reviewed"
    review = db.session.get(Review, review.id)
    assert review.state == "submitted" and review.submitted_at and review.claimed_until is None
    with pytest.raises(ConflictError, match="已经提交"):
        editing.autosave(r1, review.id, changes(overall="改", seq=99))
    actions = {e.action for e in db.session.scalars(db.select(AuditEvent))}
    assert {"review.start", "review.submit"} <= actions


def test_double_marking_two_blind_reviewers(more_people, make_submission):
    period = db.session.get(Period, more_people["period"].id)
    period.double_marking = True
    db.session.commit()
    sid = make_submission()
    r1, r3, r4 = (more_people[k].id for k in ("reviewer", "reviewer_c", "reviewer_d"))
    first = editing.claim(r1, sid)
    assert first.claimed_until is None  # no lock: two people score it
    second = editing.claim(r3, sid)
    with pytest.raises(ConflictError, match="两位审阅人"):
        editing.claim(r4, sid)
    assert queue.next_ungraded(r4) is None
    editing.submit(r1, first.id, full_scores(first, 18))
    assert state_of(sid) == "in_review"
    assert queue.next_ungraded(r3) == sid
    editing.submit(r3, second.id, full_scores(second, 10))
    assert state_of(sid) == "reviewed"


def test_single_marking_second_submit_is_refused(more_people, make_submission):
    sid = make_submission()
    r1, r3 = more_people["reviewer"].id, more_people["reviewer_c"].id
    mine = editing.claim(r1, sid)
    mine.claimed_until = datetime.now(UTC) - timedelta(hours=1)
    db.session.commit()
    theirs = editing.claim(r3, sid)
    editing.submit(r3, theirs.id, full_scores(theirs))
    with pytest.raises(ConflictError, match="其他审阅人"):
        editing.submit(r1, mine.id, full_scores(mine))


def test_queue_is_oldest_first_with_filters(more_people, make_submission):
    old = make_submission("activist", days_ago=20, flags=("low_volume",))
    new = make_submission("activist_c", days_ago=2)
    other_branch = make_submission("activist_b", days_ago=30)
    r1 = more_people["reviewer"].id
    rows = queue.list_queue(r1, queue.QueueFilters()).rows
    assert [r.submission.id for r in rows] == [old, new]
    assert rows[0].overdue_days == 6 and rows[1].overdue_days == 0
    assert [
        r.submission.id for r in queue.list_queue(r1, queue.QueueFilters(overdue=True)).rows
    ] == [old]
    assert [
        r.submission.id for r in queue.list_queue(r1, queue.QueueFilters(flag="low_volume")).rows
    ] == [old]
    assert (
        queue.list_queue(r1, queue.QueueFilters(period_id=more_people["period"].id + 99)).rows == []
    )
    assert queue.next_ungraded(r1) == old
    assert queue.next_ungraded(r1, exclude_id=old) == new
    review = editing.claim(r1, old)
    editing.submit(r1, review.id, full_scores(review))
    assert [r.submission.id for r in queue.list_queue(r1, queue.QueueFilters()).rows] == [new]
    assert [
        r.submission.id for r in queue.list_queue(r1, queue.QueueFilters(state="reviewed")).rows
    ] == [old]
    assert queue.next_ungraded(r1) == new
    assert other_branch not in [
        r.submission.id
        for r in queue.list_queue(more_people["reviewer"].id, queue.QueueFilters(state="all")).rows
    ]


def test_queue_pages_with_a_cursor_and_counts_all(more_people, make_submission):
    made = [
        make_submission(name, days_ago=days)
        for name, days in (("activist", 9), ("activist_c", 5), ("activist_d", 3))
    ]
    r1 = more_people["reviewer"].id
    first = queue.list_queue(r1, queue.QueueFilters(), limit=2)
    assert [r.submission.id for r in first.rows] == made[:2]
    assert first.total == 3 and first.next_cursor
    second = queue.list_queue(r1, queue.QueueFilters(), limit=2, after=first.next_cursor)
    assert [r.submission.id for r in second.rows] == made[2:]
    assert second.total == 3 and second.next_cursor is None
    with pytest.raises(CursorError):
        queue.list_queue(r1, queue.QueueFilters(), after="bm90LWEtY3Vyc29y")


def test_correct_segment_keeps_the_original(people, make_submission):
    sid = make_submission()
    segment = db.session.get(Submission, sid).current.video.segments[0]
    corrections.correct_segment(people["reviewer"].id, sid, segment.id, "  我志愿加入 中国共产党 ")
    segment = db.session.get(TranscriptSegment, segment.id)
    assert (
        segment.text == "我志愿加入 中国共产党" and segment.original_text == "我志愿加入中国共产党"
    )
    assert segment.corrected_by == people["reviewer"].id and segment.corrected_at
    with pytest.raises(ValidationError):
        corrections.correct_segment(people["reviewer"].id, sid, segment.id, "   ")
    corrections.correct_segment(people["reviewer"].id, sid, segment.id, "我志愿加入中国共产党")
    assert segment.corrected_by is None  # back to the recogniser's text


def test_correct_segment_checks_who_may_correct(people, make_submission):
    sid = make_submission()
    other = make_submission("activist_b")
    segment = db.session.get(Submission, sid).current.video.segments[0]
    with pytest.raises(NotFoundError):  # a reviewer of another branch does not see it
        corrections.correct_segment(people["reviewer_b"].id, sid, segment.id, "篡改")
    with pytest.raises(NotFoundError):  # the segment belongs to another submission's video
        corrections.correct_segment(people["reviewer_b"].id, other, segment.id, "篡改")
    for who in ("activist", "admin"):  # the owner reads the submitted version; admins nothing
        with pytest.raises(NotFoundError):
            corrections.correct_segment(people[who].id, sid, segment.id, "篡改")
    corrections.correct_segment(people["committee"].id, sid, segment.id, "委员会校对")
    assert db.session.get(TranscriptSegment, segment.id).text == "委员会校对"
