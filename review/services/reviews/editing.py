"""A reviewer's own review: claiming a submission, autosave (merged by drafts.py), submitting."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import selectinload

from review.clock import now
from review.exceptions import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from review.extensions import db
from review.models import (
    Criterion,
    Review,
    ReviewState,
    Role,
    Submission,
    SubmissionState,
    SubmissionVersion,
    User,
)
from review.services import audit, drafts, figures
from review.services.reviews.queue import OPEN_STATES, required_reviews

CLAIM_HOURS = 8


def find_review(reviewer_id: int, version_id: int) -> Review | None:
    """Return the reviewer's own review of a version, with scores and comments."""
    return db.session.scalar(
        select(Review)
        .where(Review.reviewer_id == reviewer_id, Review.version_id == version_id)
        .options(
            selectinload(Review.scores),
            selectinload(Review.comments),
            selectinload(Review.fields),
        )
    )


def claim(reviewer_id: int, submission_id: int, *, commit: bool = True) -> Review:
    """Start (or resume) the reviewer's review of a submission's current version.

    Single marking locks the submission for CLAIM_HOURS; double marking allows two reviewers.
    With commit=False the caller commits (the page commits once, after rendering).
    Raises:
        NotFoundError, PermissionDeniedError: no such submission, or not a reviewer of it.
        ConflictError: not reviewable yet, locked by someone else, or already fully reviewed.
    """
    user = db.session.get_one(User, reviewer_id)
    submission = db.session.get(Submission, submission_id)  # the page has loaded it already
    if submission is None:
        raise NotFoundError(_l("找不到这份思想汇报。"))
    if not user.has_role(Role.REVIEWER) or submission.branch_id not in user.reviewable_branch_ids():
        raise PermissionDeniedError(_l("只有本支部的审阅人可以给这份汇报评分。"))
    version, period, at = submission.current, submission.period, now()
    mine = find_review(reviewer_id, version.id) if version else None
    if mine is not None:
        renew = mine.claimed_until is None or mine.claimed_until < at + timedelta(
            hours=CLAIM_HOURS - 1
        )
        if mine.state == ReviewState.DRAFT.value and not period.double_marking and renew:
            mine.claimed_until = at + timedelta(hours=CLAIM_HOURS)
            if commit:
                db.session.commit()
        return mine
    if (
        version is None
        or version.submitted_at is None
        or version.video is None
        or not version.video.reviewable
        or submission.state not in OPEN_STATES
    ):
        raise ConflictError(
            _l("这份汇报目前不在待审阅状态（视频可能仍在处理，或已审阅完毕），暂时不能评分。")
        )
    others = db.session.execute(
        select(Review, User.name)
        .join(User, User.id == Review.reviewer_id)
        .where(Review.version_id == version.id)
    ).all()
    if period.double_marking:
        if len(others) >= 2:
            raise ConflictError(_l("这份汇报已有两位审阅人在评分，无需再评。请打开下一份。"))
    else:
        for other, name in others:
            if other.state == ReviewState.SUBMITTED.value:
                raise ConflictError(_l("这份汇报已由%(name)s完成评分，无需再评。", name=name))
            if other.claimed_until and other.claimed_until > at:
                raise ConflictError(
                    _l("这份汇报已由%(name)s领取，锁定 8 小时；请先审阅其他汇报。", name=name)
                )
    review = Review(
        reviewer_id=reviewer_id,
        version_id=version.id,
        state=ReviewState.DRAFT.value,
        rubric_version_id=period.rubric_version_id,
        revision=0,
        overall_comment="",
        claimed_until=None if period.double_marking else at + timedelta(hours=CLAIM_HOURS),
    )
    db.session.add(review)
    period.rubric_version.frozen = True  # a rubric in use is never edited again
    if submission.state == SubmissionState.SUBMITTED.value:
        submission.state = SubmissionState.IN_REVIEW.value
    audit.record(
        reviewer_id,
        "review.start",
        "submission",
        submission.id,
        {"version": version.number},
        commit=False,
    )
    if not commit:
        db.session.flush()
        return review
    db.session.commit()
    return find_review(reviewer_id, version.id) or review


class DraftConflictError(ConflictError):
    """Submitting met fields another tab changed; the reviewer chooses before submitting."""

    code = "field_conflict"

    def __init__(self, conflicts: list[dict]) -> None:
        super().__init__(
            _l(
                "有 %(n)d 处内容在另一个标签页或窗口中也改过，请先选择保留哪一个。",
                n=len(conflicts),
            )
        )
        self.conflicts = conflicts


def _criteria(review: Review) -> dict:
    return {
        c.id: c
        for c in db.session.scalars(
            select(Criterion)
            .where(Criterion.rubric_version_id == review.rubric_version_id)
            .order_by(Criterion.position)
        )
    }


def autosave(reviewer_id: int, review_id: int, changes: list[drafts.Change]) -> drafts.Merge:
    """Merge the page's changes into the reviewer's draft, field by field, and commit.

    Changes that met another tab's edit of the same field are not applied; they come back in
    Merge.conflicts with both values. Every other field is saved.
    Raises:
        ConflictError (already_submitted): the review was submitted.
        NotFoundError: not the reviewer's review.
        ValidationError: points outside 0..max, malformed data (nothing is saved then).
    """
    result = drafts.merge_changes(reviewer_id, review_id, changes)
    db.session.commit()
    return result


def submit(reviewer_id: int, review_id: int, changes: list[drafts.Change]) -> Review:
    """Save the page's last changes and submit the reviewer's review; it is frozen from now on.

    The changes are saved even when submitting is refused. The submission becomes `reviewed`
    once its required reviews (1, or 2 with double marking) are submitted.
    Raises:
        DraftConflictError: a change met another tab's edit; the reviewer must choose first.
        ValidationError: a criterion has no points.
        ConflictError: already submitted, or another reviewer already scored a single-marked one.
    """
    result = drafts.merge_changes(reviewer_id, review_id, changes)
    db.session.commit()
    if result.conflicts:
        raise DraftConflictError(result.conflicts)
    review = result.review
    criteria = _criteria(review)
    scored = {s.criterion_id for s in review.scores if s.points is not None}
    missing = [c.title for c in criteria.values() if c.id not in scored]
    if missing:
        raise ValidationError(
            _l(
                "还有 %(n)d 项没有打分：%(items)s。请全部打分后再提交。",
                n=len(missing),
                items="、".join(missing),
            ),
            code="incomplete",
        )
    version = db.session.get_one(SubmissionVersion, review.version_id)
    submission = version.submission
    period = submission.period
    done = (
        db.session.scalar(
            select(func.count())
            .select_from(Review)
            .where(
                Review.version_id == version.id,
                Review.state == ReviewState.SUBMITTED.value,
                Review.id != review.id,
            )
        )
        or 0
    )
    if done >= required_reviews(period):
        raise ConflictError(_l("这份汇报已由其他审阅人完成评分，您的评分不能再提交。"))
    frozen: CursorResult[Any] = db.session.execute(  # type: ignore[assignment]  # an UPDATE
        update(Review)
        .where(Review.id == review.id, Review.state == ReviewState.DRAFT.value)
        .values(state=ReviewState.SUBMITTED.value, submitted_at=now(), claimed_until=None),
        execution_options={"synchronize_session": False},
    )
    if frozen.rowcount != 1:
        db.session.rollback()
        raise ConflictError(_l("这份评分已经提交，不能再修改。"), code="already_submitted")
    if done + 1 >= required_reviews(period):
        submission.state = SubmissionState.REVIEWED.value
    elif submission.state == SubmissionState.SUBMITTED.value:
        submission.state = SubmissionState.IN_REVIEW.value
    figures.refresh([submission.id])
    total = sum(s.points or 0 for s in review.scores)
    audit.record(
        reviewer_id,
        "review.submit",
        "submission",
        submission.id,
        {"review": review.id, "version": version.number, "total": total},
        commit=False,
    )
    db.session.commit()
    db.session.refresh(review)
    return review
