"""Figures the committee's charts draw: progress by branch, scores by criterion, agreement."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from review.extensions import db
from review.models import Period, Review, ReviewState, Score
from review.services.dashboard import BranchOverview, current_versions

# Differences between two reviewers' totals, in points: the upper bound of each bucket.
AGREEMENT_BUCKETS = (0, 2, 5, 10)


@dataclass
class Progress:
    """Submissions per branch and state (stacked bars)."""

    branches: list[str]
    states: list[str]
    counts: dict[str, list[int]]  # state → one count per branch


@dataclass
class CriterionScores:
    """All submitted points of one criterion in a period."""

    title: str
    max_points: int
    points: list[float] = field(default_factory=list)


@dataclass
class Agreement:
    """How far apart the two reviewers of each double-marked report are."""

    differences: list[float]
    limit: float  # points: more than this is a disagreement the committee resolves

    def buckets(self) -> list[tuple[float, float | None, int, int]]:
        """Return (low, high, within, beyond) per bucket of AGREEMENT_BUCKETS.

        The first bucket is "the same total" (low −1, high 0), the last is open (high None);
        within/beyond count the differences up to / over the limit in that bucket.
        """
        out = []
        low = -1.0
        for high in (*AGREEMENT_BUCKETS, None):
            inside = [d for d in self.differences if d > low and (high is None or d <= high)]
            beyond = sum(1 for d in inside if d > self.limit)
            out.append((low, None if high is None else float(high), len(inside) - beyond, beyond))
            low = float(high) if high is not None else low
        return out


def progress(rows: list[BranchOverview], states: list[str]) -> Progress:
    """Return the per-branch state counts of the dashboard's overview rows."""
    return Progress(
        branches=[r.branch.name for r in rows],
        states=states,
        counts={s: [r.counts.get(s, 0) for r in rows] for s in states},
    )


def _submitted_reviews(period_id: int) -> list[Review]:
    versions = [v.id for v in current_versions(period_id).values()]
    return list(
        db.session.scalars(
            select(Review).where(
                Review.version_id.in_(versions or [-1]),
                Review.state == ReviewState.SUBMITTED.value,
            )
        )
    )


def criterion_scores(period_id: int) -> list[CriterionScores]:
    """Return the points given to each criterion of the period's rubric, in rubric order."""
    period = db.session.get_one(Period, period_id)
    found = {
        c.id: CriterionScores(c.title, c.max_points)
        for c in sorted(period.rubric_version.criteria, key=lambda c: c.position)
    }
    reviews = [r.id for r in _submitted_reviews(period_id)]
    rows = db.session.execute(
        select(Score.criterion_id, Score.points).where(
            Score.review_id.in_(reviews or [-1]), Score.points.is_not(None)
        )
    )
    for criterion_id, points in rows:
        if criterion_id in found and points is not None:
            found[criterion_id].points.append(float(points))
    return list(found.values())


def agreement(period_id: int, threshold: float) -> Agreement:
    """Return the total differences of the double-marked reports (threshold: of the max total)."""
    period = db.session.get_one(Period, period_id)
    by_version: dict[int, list[float]] = {}
    for review in sorted(_submitted_reviews(period_id), key=lambda r: (r.submitted_at, r.id)):
        total = sum(s.points or 0 for s in review.scores)
        by_version.setdefault(review.version_id, []).append(total)
    differences = [abs(t[0] - t[1]) for t in by_version.values() if len(t) >= 2]
    return Agreement(differences, threshold * period.rubric_version.max_total)
