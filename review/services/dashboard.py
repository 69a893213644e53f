"""The committee's view of a period: per-branch counts, overdue reviews, disagreements."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from review import clock
from review.extensions import db
from review.models import (
    Branch,
    Criterion,
    Period,
    Review,
    ReviewState,
    Role,
    Submission,
    SubmissionState,
    SubmissionVersion,
    User,
    Video,
    VideoState,
)

REVIEW_DAYS = 14
WAITING = (SubmissionState.SUBMITTED.value, SubmissionState.IN_REVIEW.value)


@dataclass
class BranchOverview:
    """One branch's figures for a period."""

    branch: Branch
    members: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    missing: list[User] = field(default_factory=list)  # activists who have not submitted
    overdue: list[Submission] = field(default_factory=list)
    failed: list[Submission] = field(default_factory=list)


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


def overview(period_id: int, now: datetime | None = None) -> list[BranchOverview]:
    """Return the figures of every branch for a period."""
    period = db.session.get_one(Period, period_id)
    now = now or clock.now()
    rows = {
        b.id: BranchOverview(branch=b)
        for b in db.session.scalars(select(Branch).order_by(Branch.name))
    }
    activists = db.session.scalars(
        select(User)
        .where(User.role == Role.ACTIVIST.value, User.active.is_(True))
        .order_by(User.username)
    )
    submissions = {
        s.activist_id: s
        for s in db.session.scalars(select(Submission).where(Submission.period_id == period_id))
    }
    for user in activists:
        if user.branch_id in rows:
            rows[user.branch_id].members += 1
            sub = submissions.get(user.id)
            if sub is None or sub.state == SubmissionState.DRAFT.value:
                rows[user.branch_id].missing.append(user)
    versions = current_versions(period_id)
    reviewed = dict(
        db.session.execute(
            select(Review.version_id, func.count())
            .where(
                Review.version_id.in_([v.id for v in versions.values()] or [-1]),
                Review.state == ReviewState.SUBMITTED.value,
            )
            .group_by(Review.version_id)
        ).all()
    )
    failed_videos = set(
        db.session.scalars(
            select(Video.id).where(
                Video.id.in_([v.video_id for v in versions.values() if v.video_id] or [-1]),
                Video.state == VideoState.FAILED.value,
            )
        )
    )
    need, limit = required_reviews(period), now - timedelta(days=REVIEW_DAYS)
    for sub in submissions.values():
        row = rows.get(sub.branch_id) if sub.branch_id is not None else None
        if row is None:
            continue
        row.counts[sub.state] = row.counts.get(sub.state, 0) + 1
        version = versions.get(sub.id)
        if version is None:
            continue
        if (
            sub.state in WAITING
            and version.submitted_at is not None
            and version.submitted_at < limit
            and reviewed.get(version.id, 0) < need
        ):
            row.overdue.append(sub)
        if version.video_id in failed_videos:
            row.failed.append(sub)
    return list(rows.values())


@dataclass
class Disagreement:
    """Two submitted reviews of one version whose totals differ by more than the threshold."""

    submission: Submission
    reviews: list[Review]
    totals: list[float]
    scores: list[dict[int, float | None]]  # per review: {criterion position: points}
    difference: float


def disagreements(period_id: int, threshold: float | None = None) -> list[Disagreement]:
    """Return double-marked submissions whose review totals differ by more than the threshold.

    The threshold is a fraction of the rubric's maximum total (default: the period's, else
    DISAGREEMENT_THRESHOLD).
    """
    period = db.session.get_one(Period, period_id)
    if threshold is None:
        threshold = period.disagreement_threshold
    if threshold is None:
        threshold = float(current_app.config["DISAGREEMENT_THRESHOLD"])
    limit = threshold * period.rubric_version.max_total
    versions = current_versions(period_id)
    by_version = {v.id: sid for sid, v in versions.items()}
    reviews = list(
        db.session.scalars(
            select(Review)
            .where(
                Review.version_id.in_(list(by_version) or [-1]),
                Review.state == ReviewState.SUBMITTED.value,
            )
            .order_by(Review.submitted_at, Review.id)
        )
    )
    grouped: dict[int, list[Review]] = {}
    for review in reviews:
        grouped.setdefault(review.version_id, []).append(review)
    positions = dict(db.session.execute(select(Criterion.id, Criterion.position)).all())
    found = []
    for version_id, group in grouped.items():
        if len(group) < 2:
            continue
        scores = [{positions[s.criterion_id]: s.points for s in r.scores} for r in group[:2]]
        totals = [sum(p or 0 for p in s.values()) for s in scores]
        difference = abs(totals[0] - totals[1])
        if difference > limit:
            submission = db.session.get_one(Submission, by_version[version_id])
            found.append(Disagreement(submission, group[:2], totals, scores, difference))
    return sorted(found, key=lambda d: -d.difference)
