"""The committee's view of a period: per-branch counts, overdue reviews, disagreements."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Select, Subquery, case, exists, func, select
from sqlalchemy.orm import InstrumentedAttribute, aliased, selectinload

from review import clock
from review.extensions import db
from review.models import (
    Branch,
    Criterion,
    Period,
    Review,
    ReviewState,
    Role,
    Score,
    Submission,
    SubmissionState,
    SubmissionVersion,
    User,
    Video,
    VideoState,
)
from review.services.branches import all_branches
from review.services.versions import is_current

REVIEW_DAYS = 14
WAITING = (SubmissionState.SUBMITTED.value, SubmissionState.IN_REVIEW.value)
LIST_LIMIT = 20  # the people the dashboard names per branch and list; the rest are counted
# Ids per IN list: PostgreSQL's protocol takes at most 65 535 parameters a statement, SQLite
# 32 766 (the dashboard before issue 17 failed on PostgreSQL at 100k submissions).
IN_CHUNK = 10_000


@dataclass
class BranchOverview:
    """One branch's figures for a period, and the first LIST_LIMIT of each of its lists."""

    branch: Branch
    members: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    missing: list[User] = field(default_factory=list)  # activists who have not submitted
    overdue: list[Submission] = field(default_factory=list)
    failed: list[Submission] = field(default_factory=list)
    missing_count: int = 0
    overdue_count: int = 0
    failed_count: int = 0


def current_versions(period_id: int, branch_id: int | None = None) -> dict[int, SubmissionVersion]:
    """Return {submission id: newest version} for the submissions of a period."""
    newest = (
        select(SubmissionVersion.submission_id, func.max(SubmissionVersion.number).label("n"))
        .join(Submission, Submission.id == SubmissionVersion.submission_id)
        .where(Submission.period_id == period_id)
    )
    if branch_id is not None:
        newest = newest.where(Submission.branch_id == branch_id)
    latest = newest.group_by(SubmissionVersion.submission_id).subquery()
    stmt = select(SubmissionVersion).join(
        latest,
        (SubmissionVersion.submission_id == latest.c.submission_id)
        & (SubmissionVersion.number == latest.c.n),
    )
    return {v.submission_id: v for v in db.session.scalars(stmt)}


def required_reviews(period: Period) -> int:
    """Return how many submitted reviews each submission needs in period."""
    return 2 if period.double_marking else 1


def current_reviews(period_id: int) -> Select:
    """Return a select of the ids of the submitted reviews of a period's current versions."""
    version = aliased(SubmissionVersion)
    return (
        select(Review.id)
        .join(version, version.id == Review.version_id)
        .join(Submission, Submission.id == version.submission_id)
        .where(
            Review.state == ReviewState.SUBMITTED.value,
            Submission.period_id == period_id,
            is_current(version),
        )
    )


def _first(
    stmt: Select, key: InstrumentedAttribute[Any], order: InstrumentedAttribute[Any], first: int
) -> tuple[dict[int, int], dict[int, list[int]]]:
    """Run stmt (selecting ids as "id", grouped by key); return counts and first ids per key.

    One pass: the window functions count each group and number its rows, so only the first
    rows come back however long the list is.
    """
    ranked = stmt.add_columns(
        key.label("key"),
        func.row_number().over(partition_by=key, order_by=order).label("rank"),
        func.count().over(partition_by=key).label("total"),
    ).subquery()
    counts: dict[int, int] = {}
    ids: dict[int, list[int]] = {}
    rows = db.session.execute(
        select(ranked.c.id, ranked.c.key, ranked.c.total)
        .where(ranked.c.rank <= first)
        .order_by(ranked.c.key, ranked.c.rank)
    )
    for id_, group, total in rows:
        counts[group] = total
        ids.setdefault(group, []).append(id_)
    return counts, ids


def overview(
    period_id: int, now: datetime | None = None, *, first: int | None = None
) -> list[BranchOverview]:
    """Return the figures of every branch for a period, counted by the database.

    The lists (missing activists by username, overdue and failed submissions by id) hold the
    first `first` (default LIST_LIMIT) of each branch; the *_count fields count them all.
    """
    period = db.session.get_one(Period, period_id)
    now = now or clock.now()
    first = LIST_LIMIT if first is None else first
    rows = {b.id: BranchOverview(branch=b) for b in all_branches()}
    activist = (User.role == Role.ACTIVIST.value) & User.active.is_(True)
    members = select(User.branch_id, func.count()).where(activist).group_by(User.branch_id)
    for branch_id, n in db.session.execute(members):
        if branch_id in rows:
            rows[branch_id].members = n
    states = (
        select(Submission.branch_id, Submission.state, func.count())
        .where(Submission.period_id == period_id)
        .group_by(Submission.branch_id, Submission.state)
    )
    for branch_id, state, n in db.session.execute(states):
        if branch_id in rows:
            rows[branch_id].counts[state] = n

    submitted = exists().where(
        Submission.activist_id == User.id,
        Submission.period_id == period_id,
        Submission.state != SubmissionState.DRAFT.value,
    )
    missing_counts, missing_ids = _first(
        select(User.id.label("id")).where(activist, User.branch_id.is_not(None), ~submitted),
        User.branch_id,
        User.username,
        first,
    )

    version = aliased(SubmissionVersion)
    of_period = (
        select(Submission.id.label("id"))
        .join(version, version.submission_id == Submission.id)
        .where(
            Submission.period_id == period_id,
            Submission.branch_id.is_not(None),
            is_current(version),
        )
    )
    reviewed = (
        select(func.count())
        .where(Review.version_id == version.id, Review.state == ReviewState.SUBMITTED.value)
        .scalar_subquery()
    )
    limit = now - timedelta(days=REVIEW_DAYS)
    overdue_counts, overdue_ids = _first(
        of_period.where(
            Submission.state.in_(WAITING),
            version.submitted_at < limit,
            reviewed < required_reviews(period),
        ),
        Submission.branch_id,
        Submission.id,
        first,
    )
    failed_videos = select(Video.id).where(Video.state == VideoState.FAILED.value)
    failed_versions = select(version.submission_id).where(
        version.video_id.in_(failed_videos), is_current(version)
    )
    failed_counts, failed_ids = _first(
        # from the (few) failed videos, not through every submission's version: as IN lists
        # SQLite looks them up first (60 ms → 5 ms at 100k)
        select(Submission.id.label("id")).where(
            Submission.period_id == period_id,
            Submission.branch_id.is_not(None),
            Submission.id.in_(failed_versions),
        ),
        Submission.branch_id,
        Submission.id,
        first,
    )

    users = _load(User, [i for ids in missing_ids.values() for i in ids], selectinload(User.branch))
    subs = _load(
        Submission,
        [i for ids in (*overdue_ids.values(), *failed_ids.values()) for i in ids],
        selectinload(Submission.activist).selectinload(User.branch),
        # the lists show when the newest version was submitted: not its paper text
        selectinload(Submission.versions).load_only(
            SubmissionVersion.number, SubmissionVersion.submitted_at
        ),
    )
    for branch_id, row in rows.items():
        row.missing_count = missing_counts.get(branch_id, 0)
        row.overdue_count = overdue_counts.get(branch_id, 0)
        row.failed_count = failed_counts.get(branch_id, 0)
        row.missing = [users[i] for i in missing_ids.get(branch_id, [])]
        row.overdue = [subs[i] for i in overdue_ids.get(branch_id, [])]
        row.failed = [subs[i] for i in failed_ids.get(branch_id, [])]
    return list(rows.values())


def _load(model: Any, ids: list[int], *options: Any) -> dict[int, Any]:
    """Return {id: object} for ids, with options (eager loads) in one query."""
    if not ids:
        return {}
    return {
        o.id: o
        for o in db.session.scalars(select(model).where(model.id.in_(ids)).options(*options))
    }


@dataclass
class Disagreement:
    """Two submitted reviews of one version whose totals differ by more than the threshold."""

    submission: Submission
    reviews: list[Review]
    totals: list[float]
    scores: list[dict[int, float | None]]  # per review: {criterion position: points}
    difference: float


def _points_limit(period: Period, threshold: float | None) -> float:
    """Return the disagreement limit in points (threshold: a fraction of the maximum total)."""
    if threshold is None:
        threshold = period.disagreement_threshold
    if threshold is None:
        threshold = float(current_app.config["DISAGREEMENT_THRESHOLD"])
    return threshold * period.rubric_version.max_total


def double_marks(period_id: int) -> Subquery:
    """Return (version_id, difference) of each double-marked current version of a period.

    The difference is between the totals of the first two submitted reviews (by submission
    time). Summed and paired by the database: nothing per review comes back.
    """
    version = aliased(SubmissionVersion)
    twice = (
        select(Review.version_id)
        .where(Review.state == ReviewState.SUBMITTED.value)
        .group_by(Review.version_id)
        .having(func.count() >= 2)
    )
    totals = (
        select(
            Review.version_id,
            func.coalesce(func.sum(Score.points), 0).label("total"),
            func.row_number()
            .over(partition_by=Review.version_id, order_by=(Review.submitted_at, Review.id))
            .label("rank"),
        )
        .join(version, version.id == Review.version_id)
        .join(Submission, Submission.id == version.submission_id)
        .outerjoin(Score, Score.review_id == Review.id)
        .where(
            Review.state == ReviewState.SUBMITTED.value,
            Review.version_id.in_(twice),
            Submission.period_id == period_id,
            is_current(version),
        )
        .group_by(Review.id, Review.version_id, Review.submitted_at)
        .subquery()
    )
    first = func.max(case((totals.c.rank == 1, totals.c.total)))
    second = func.max(case((totals.c.rank == 2, totals.c.total)))
    return (
        select(totals.c.version_id, func.abs(first - second).label("difference"))
        .where(totals.c.rank <= 2)
        .group_by(totals.c.version_id)
        .subquery()
    )


def disagreements(
    period_id: int, threshold: float | None = None, *, first: int | None = None
) -> list[Disagreement]:
    """Return double-marked submissions whose review totals differ by more than the threshold.

    The threshold is a fraction of the rubric's maximum total (default: the period's, else
    DISAGREEMENT_THRESHOLD). The widest first; only the first `first` when given.
    """
    period = db.session.get_one(Period, period_id)
    pairs = double_marks(period_id)
    stmt = (
        select(pairs.c.version_id, pairs.c.difference)
        .where(pairs.c.difference > _points_limit(period, threshold))
        .order_by(pairs.c.difference.desc(), pairs.c.version_id)
    )
    found = db.session.execute(stmt if first is None else stmt.limit(first)).all()
    if not found:
        return []
    reviews: dict[int, list[Review]] = {}
    subs: dict[int, Submission] = {}
    versions = [v for v, _d in found]
    for start in range(0, len(versions), IN_CHUNK):
        part = versions[start : start + IN_CHUNK]
        for review in db.session.scalars(
            select(Review)
            .where(Review.version_id.in_(part), Review.state == ReviewState.SUBMITTED.value)
            .order_by(Review.submitted_at, Review.id)
            .options(selectinload(Review.scores))
        ):
            reviews.setdefault(review.version_id, []).append(review)
        for version_id, submission in db.session.execute(
            select(SubmissionVersion.id, Submission)
            .join(Submission, Submission.id == SubmissionVersion.submission_id)
            .where(SubmissionVersion.id.in_(part))
            .options(selectinload(Submission.activist).selectinload(User.branch))
        ):
            subs[version_id] = submission
    positions = dict(db.session.execute(select(Criterion.id, Criterion.position)).all())
    out = []
    for version_id, difference in found:
        group = reviews[version_id][:2]
        scores = [{positions[s.criterion_id]: s.points for s in r.scores} for r in group]
        totals = [sum(p or 0 for p in s.values()) for s in scores]
        out.append(Disagreement(subs[version_id], group, totals, scores, float(difference)))
    return out
