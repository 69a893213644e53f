"""Reviews: the reviewer's queue, claiming, autosave (merged by drafts.py), submit, corrections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, and_, case, cast, func, or_, select, update
from sqlalchemy.orm import aliased, joinedload, selectinload

from review.access import can_write_version, visible_submissions
from review.exceptions import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from review.extensions import db
from review.models import (
    Criterion,
    Period,
    Review,
    ReviewState,
    Role,
    RubricVersion,
    Submission,
    SubmissionState,
    SubmissionVersion,
    TranscriptSegment,
    User,
    Video,
)
from review.services import audit, drafts

OVERDUE_DAYS = 14
CLAIM_HOURS = 8
OPEN_STATES = (SubmissionState.SUBMITTED.value, SubmissionState.IN_REVIEW.value)
QUEUE_STATES = (*OPEN_STATES, SubmissionState.REVIEWED.value)
MAX_TEXT = drafts.MAX_TEXT


def now() -> datetime:
    """Return the current UTC time."""
    return datetime.now(UTC)


@dataclass
class QueueFilters:
    """What the reviewer asked the queue to show."""

    period_id: int | None = None
    state: str = "todo"  # todo (not yet scored by me), in_review, reviewed, all
    overdue: bool = False
    flag: str | None = None


@dataclass
class QueueRow:
    """One line of the queue."""

    submission: Submission
    version: SubmissionVersion
    video: Video
    mine: Review | None
    claimed_by: str | None = None
    claimed_until: datetime | None = None

    @property
    def overdue_days(self) -> int:
        """Return how many days the review is late (0 when not late)."""
        return overdue_days(self.submission.state, self.version.submitted_at)


def overdue_days(state: str, submitted_at: datetime | None, at: datetime | None = None) -> int:
    """Return how many days past the 14-day review deadline a submission is (0: not late)."""
    if state not in OPEN_STATES or submitted_at is None:
        return 0
    late = (at or now()) - submitted_at - timedelta(days=OVERDUE_DAYS)
    return max(1, late.days) if late.total_seconds() > 0 else 0


def required_reviews(period: Period) -> int:
    """Return how many submitted reviews a submission needs in period."""
    return 2 if period.double_marking else 1


def _queue_base(user: User) -> Any:
    latest = (
        select(func.max(SubmissionVersion.number))
        .where(SubmissionVersion.submission_id == Submission.id)
        .correlate(Submission)
        .scalar_subquery()
    )
    stmt = (
        select(Submission, SubmissionVersion, Video)
        .join(SubmissionVersion, SubmissionVersion.submission_id == Submission.id)
        .join(Video, Video.id == SubmissionVersion.video_id)
        .where(
            SubmissionVersion.number == latest,
            SubmissionVersion.submitted_at.is_not(None),
            Video.reviewable.is_(True),
            Submission.state.in_(QUEUE_STATES),
        )
    )
    return visible_submissions(user, stmt)


def _blocking_others(reviewer_id: int, at: datetime) -> Any:
    """Count other reviewers' reviews that keep reviewer_id from taking a submission."""
    other = aliased(Review)
    return (
        select(func.count())
        .select_from(other)
        .where(
            other.version_id == SubmissionVersion.id,
            other.reviewer_id != reviewer_id,
            or_(
                Period.double_marking.is_(True),
                other.state == ReviewState.SUBMITTED.value,
                other.claimed_until > at,
            ),
        )
        .correlate(SubmissionVersion, Period)
        .scalar_subquery()
    )


def list_queue(reviewer_id: int, filters: QueueFilters, limit: int = 100) -> list[QueueRow]:
    """Return the reviewer's queue, oldest submission first (limit + 1 rows tell there are more)."""
    user = db.session.get(User, reviewer_id)
    at = now()
    stmt = (
        _queue_base(user)
        .add_columns(Review)
        .outerjoin(
            Review,
            and_(Review.version_id == SubmissionVersion.id, Review.reviewer_id == reviewer_id),
        )
        .options(joinedload(Submission.activist), joinedload(Submission.period))
    )
    if filters.period_id:
        stmt = stmt.where(Submission.period_id == filters.period_id)
    if filters.state == "todo":
        stmt = stmt.where(
            Submission.state.in_(OPEN_STATES),
            or_(Review.id.is_(None), Review.state == ReviewState.DRAFT.value),
        )
    elif filters.state in QUEUE_STATES:
        stmt = stmt.where(Submission.state == filters.state)
    if filters.overdue:
        stmt = stmt.where(
            Submission.state.in_(OPEN_STATES),
            SubmissionVersion.submitted_at < at - timedelta(days=OVERDUE_DAYS),
        )
    if filters.flag:
        stmt = stmt.where(cast(Video.flags, String).like(f'%"{filters.flag}"%'))
    rows = [
        QueueRow(s, v, video, mine)
        for s, v, video, mine in db.session.execute(
            stmt.order_by(SubmissionVersion.submitted_at, Submission.id).limit(limit + 1)
        ).unique()
    ]
    claims = db.session.execute(
        select(Review.version_id, User.name, Review.claimed_until)
        .join(User, User.id == Review.reviewer_id)
        .where(
            Review.version_id.in_([r.version.id for r in rows] or [-1]),
            Review.reviewer_id != reviewer_id,
            Review.state == ReviewState.DRAFT.value,
            Review.claimed_until > at,
        )
    )
    by_version = {version_id: (name, until) for version_id, name, until in claims}
    for row in rows:
        row.claimed_by, row.claimed_until = by_version.get(row.version.id, (None, None))
    return rows


def next_ungraded(reviewer_id: int, exclude_id: int | None = None) -> int | None:
    """Return the oldest submission the reviewer can still score, or None."""
    user = db.session.get(User, reviewer_id)
    at = now()
    mine = aliased(Review)
    stmt = (
        _queue_base(user)
        .join(Period, Period.id == Submission.period_id)
        .outerjoin(
            mine, and_(mine.version_id == SubmissionVersion.id, mine.reviewer_id == reviewer_id)
        )
        .where(
            Submission.state.in_(OPEN_STATES),
            or_(mine.id.is_(None), mine.state == ReviewState.DRAFT.value),
            _blocking_others(reviewer_id, at) < case((Period.double_marking.is_(True), 2), else_=1),
        )
    )
    if exclude_id is not None:
        stmt = stmt.where(Submission.id != exclude_id)
    row = db.session.execute(
        stmt.order_by(SubmissionVersion.submitted_at, Submission.id).limit(1)
    ).first()
    return row[0].id if row else None


def load_submission(submission_id: int) -> Submission | None:
    """Load one submission with everything its review page shows, in a few queries."""
    return db.session.get(
        Submission,
        submission_id,
        options=[
            joinedload(Submission.activist),
            joinedload(Submission.period)
            .joinedload(Period.rubric_version)
            .joinedload(RubricVersion.criteria),
            selectinload(Submission.versions).options(
                selectinload(SubmissionVersion.paper_files),
                joinedload(SubmissionVersion.video).selectinload(Video.segments),
            ),
        ],
    )


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
    user = db.session.get(User, reviewer_id)
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
    return find_review(reviewer_id, version.id)


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
    version = db.session.get(SubmissionVersion, review.version_id)
    submission = version.submission
    period = submission.period
    done = db.session.scalar(
        select(func.count())
        .select_from(Review)
        .where(
            Review.version_id == version.id,
            Review.state == ReviewState.SUBMITTED.value,
            Review.id != review.id,
        )
    )
    if done >= required_reviews(period):
        raise ConflictError(_l("这份汇报已由其他审阅人完成评分，您的评分不能再提交。"))
    frozen = db.session.execute(
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


def correct_segment(user_id: int, segment_id: int, text: str) -> TranscriptSegment:
    """Store a human correction of a transcript segment; the recogniser's text is kept.

    A correction is never overwritten by a re-transcription (pipeline.save_transcript).
    Only someone who may write the segment's version does (access.can_write_version): a
    draft's transcript is its activist's alone.
    """
    segment = db.session.get(TranscriptSegment, segment_id)
    user = db.session.get(User, user_id)
    versions = (
        db.session.scalars(
            select(SubmissionVersion).where(SubmissionVersion.video_id == segment.video_id)
        ).all()
        if segment is not None
        else []
    )
    if not versions or not all(can_write_version(user, v) for v in versions):
        raise NotFoundError(_l("找不到这段转写文字，请刷新页面。"))
    text = " ".join(str(text or "").split())
    if not text:
        raise ValidationError(
            _l("校对后的文字不能为空。如果这段确实没有说话，请填写“（无语音）”。")
        )
    if len(text) > MAX_TEXT:
        raise ValidationError(_l("这一段太长了（最多 %(n)d 个字）。", n=MAX_TEXT))
    segment.text = text
    restored = text == " ".join(segment.original_text.split())
    segment.corrected_by = None if restored else user_id
    segment.corrected_at = None if restored else now()
    audit.record(
        user_id,
        "transcript.correct",
        "segment",
        segment.id,
        {"video": segment.video_id},
        commit=False,
    )
    db.session.commit()
    from review.services.search import reindex_video

    reindex_video(segment.video_id)  # the corrected words become searchable at once
    return segment
