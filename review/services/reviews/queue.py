"""The reviewer's queue: what is waiting, what is overdue, and the next one to grade."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, case, cast, func, or_, select, tuple_
from sqlalchemy.orm import aliased, defer, joinedload, selectinload

from review.access import visible_submissions
from review.clock import now
from review.extensions import db
from review.models import (
    Period,
    Review,
    ReviewState,
    RubricVersion,
    Submission,
    SubmissionState,
    SubmissionVersion,
    User,
    Video,
)
from review.services.pagination import decode_cursor, encode_cursor
from review.services.versions import is_current

OVERDUE_DAYS = 14
OPEN_STATES = (SubmissionState.SUBMITTED.value, SubmissionState.IN_REVIEW.value)
QUEUE_STATES = (*OPEN_STATES, SubmissionState.REVIEWED.value)


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


def _queue_base(user: User, *columns: Any) -> Any:
    """Select columns of the newest submitted version of each queued submission user may read."""
    stmt = (
        select(*columns)
        .select_from(Submission)
        .join(SubmissionVersion, SubmissionVersion.submission_id == Submission.id)
        .join(Video, Video.id == SubmissionVersion.video_id)
        .where(
            is_current(SubmissionVersion),
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


@dataclass
class QueuePage:
    """One page of the queue: its rows, how many match in all, and the cursor of the next page."""

    rows: list[QueueRow]
    total: int
    next_cursor: str | None = None


def _filtered_ids(reviewer_id: int, filters: QueueFilters, at: datetime) -> Any:
    """Select the keys of the queue's rows (no wide column), filtered as the reviewer asked."""
    user = db.session.get_one(User, reviewer_id)
    stmt = _queue_base(
        user, Submission.id, SubmissionVersion.id, SubmissionVersion.submitted_at, Review.id
    ).outerjoin(
        Review, and_(Review.version_id == SubmissionVersion.id, Review.reviewer_id == reviewer_id)
    )
    if filters.period_id:
        stmt = stmt.where(Submission.period_id == filters.period_id)
    if filters.state == "todo":
        # Not yet submitted by this reviewer (no review, or a draft), said as an anti-join:
        # "review IS NULL OR draft" on the outer join made PostgreSQL expect one row and start
        # from every version instead of the branch's submissions.
        submitted = aliased(Review)
        stmt = stmt.where(
            Submission.state.in_(OPEN_STATES),
            ~select(submitted.id)
            .where(
                submitted.version_id == SubmissionVersion.id,
                submitted.reviewer_id == reviewer_id,
                submitted.state == ReviewState.SUBMITTED.value,
            )
            .correlate(SubmissionVersion)
            .exists(),
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
    return stmt


def list_queue(
    reviewer_id: int, filters: QueueFilters, limit: int = 100, after: str | None = None
) -> QueuePage:
    """Return one page of the reviewer's queue, oldest submission first.

    Two steps so that the cost does not grow with the branch: the keys of the page are found
    on covering indexes (ix_submission_versions_queue, ix_submissions_branch_id_state), then
    only the page's rows are loaded. `after` is the cursor of the previous page's last row
    (pagination.CursorError when it is not one we handed out).
    """
    at = now()
    keys = _filtered_ids(reviewer_id, filters, at)
    if after is None:  # the first page counts in the same scan
        keys = keys.add_columns(func.count().over())
    else:
        when, last_id = decode_cursor(after, (datetime, int))
        keys = keys.where(
            tuple_(SubmissionVersion.submitted_at, Submission.id) > tuple_(when, last_id)
        )
    found = db.session.execute(
        keys.order_by(SubmissionVersion.submitted_at, Submission.id).limit(limit + 1)
    ).all()
    if after is None:
        total = found[0][4] if found else 0
    else:
        total = db.session.scalar(
            select(func.count()).select_from(_filtered_ids(reviewer_id, filters, at).subquery())
        )
    more, found = len(found) > limit, found[:limit]
    rows = _load_rows(reviewer_id, [r[1] for r in found], at)
    cursor = encode_cursor(found[-1][2], found[-1][0]) if more else None
    return QueuePage(rows, total or 0, cursor)


def _load_rows(reviewer_id: int, version_ids: list[int], at: datetime) -> list[QueueRow]:
    """Load the queue rows of these versions, in this order, with who else holds each."""
    if not version_ids:
        return []
    loaded = db.session.execute(
        select(Submission, SubmissionVersion, Video, Review)
        .join(SubmissionVersion, SubmissionVersion.submission_id == Submission.id)
        .join(Video, Video.id == SubmissionVersion.video_id)
        .outerjoin(
            Review,
            and_(Review.version_id == SubmissionVersion.id, Review.reviewer_id == reviewer_id),
        )
        .where(SubmissionVersion.id.in_(version_ids))
        .options(
            joinedload(Submission.activist),
            joinedload(Submission.period),
            defer(SubmissionVersion.paper_text),
            defer(SubmissionVersion.typed_text),
        )
    ).unique()
    by_id = {v.id: QueueRow(s, v, video, mine) for s, v, video, mine in loaded}
    rows = [by_id[v] for v in version_ids if v in by_id]
    claims = db.session.execute(
        select(Review.version_id, User.name, Review.claimed_until)
        .join(User, User.id == Review.reviewer_id)
        .where(
            Review.version_id.in_(version_ids),
            Review.reviewer_id != reviewer_id,
            Review.state == ReviewState.DRAFT.value,
            Review.claimed_until > at,
        )
    )
    held = {version_id: (name, until) for version_id, name, until in claims}
    for row in rows:
        row.claimed_by, row.claimed_until = held.get(row.version.id, (None, None))
    return rows


def next_ungraded(reviewer_id: int, exclude_id: int | None = None) -> int | None:
    """Return the oldest submission the reviewer can still score, or None."""
    user = db.session.get_one(User, reviewer_id)
    at = now()
    mine = aliased(Review)
    stmt = (
        _queue_base(user, Submission.id)
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
    return db.session.scalar(stmt.order_by(SubmissionVersion.submitted_at, Submission.id).limit(1))


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
