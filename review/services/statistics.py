"""Figures the committee's charts draw: progress by branch, scores by criterion, agreement."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from review.extensions import db
from review.models import Period, Review, Score
from review.services.dashboard import BranchOverview, current_reviews, double_marks

# Differences between two reviewers' totals, in points: the upper bound of each bucket.
AGREEMENT_BUCKETS = (0, 2, 5, 10)
# Reviews whose points the score box plot draws: the newest this many. Quartiles of 500
# reviews are steady enough to draw, and pygal spends about 5 ms per 1 000 points.
SCORE_SAMPLE = 500


@dataclass
class Progress:
    """Submissions per branch and state (stacked bars)."""

    branches: list[str]
    states: list[str]
    counts: dict[str, list[int]]  # state → one count per branch


@dataclass
class CriterionScores:
    """The submitted points of one criterion in a period (of the newest SCORE_SAMPLE reviews)."""

    title: str
    max_points: int
    points: list[float] = field(default_factory=list)
    sampled: bool = False  # True: the period has more reviews than the sample holds


@dataclass
class Agreement:
    """How far apart the two reviewers of each double-marked report are."""

    counts: dict[float, int]  # difference of the two totals, in points → how many reports
    limit: float  # points: more than this is a disagreement the committee resolves

    @property
    def beyond(self) -> int:
        """Return how many reports differ by more than the limit (the disagreements)."""
        return sum(n for d, n in self.counts.items() if d > self.limit)

    def buckets(self) -> list[tuple[float, float | None, int, int]]:
        """Return (low, high, within, beyond) per bucket of AGREEMENT_BUCKETS.

        The first bucket is "the same total" (low −1, high 0), the last is open (high None);
        within/beyond count the differences up to / over the limit in that bucket.
        """
        out = []
        low = -1.0
        for high in (*AGREEMENT_BUCKETS, None):
            inside = {
                d: n for d, n in self.counts.items() if d > low and (high is None or d <= high)
            }
            beyond = sum(n for d, n in inside.items() if d > self.limit)
            within = sum(inside.values()) - beyond
            out.append((low, None if high is None else float(high), within, beyond))
            low = float(high) if high is not None else low
        return out


def progress(rows: list[BranchOverview], states: list[str]) -> Progress:
    """Return the per-branch state counts of the dashboard's overview rows."""
    return Progress(
        branches=[r.branch.name for r in rows],
        states=states,
        counts={s: [r.counts.get(s, 0) for r in rows] for s in states},
    )


def criterion_scores(period_id: int) -> list[CriterionScores]:
    """Return the points given to each criterion of the period's rubric, in rubric order.

    A box plot needs the points themselves (its quartiles), so the cost is bounded by a
    sample: the scores of the SCORE_SAMPLE most recently submitted reviews.
    """
    period = db.session.get_one(Period, period_id)
    found = {
        c.id: CriterionScores(c.title, c.max_points)
        for c in sorted(period.rubric_version.criteria, key=lambda c: c.position)
    }
    newest = (
        current_reviews(period_id)
        .order_by(Review.submitted_at.desc(), Review.id.desc())
        .limit(SCORE_SAMPLE + 1)
    )
    ids = list(db.session.scalars(newest))
    rows = db.session.execute(
        select(Score.criterion_id, Score.points).where(
            Score.review_id.in_(ids[:SCORE_SAMPLE] or [-1]), Score.points.is_not(None)
        )
    )
    for criterion_id, points in rows:
        if criterion_id in found and points is not None:
            found[criterion_id].points.append(float(points))
    for c in found.values():
        c.sampled = len(ids) > SCORE_SAMPLE
    return list(found.values())


def agreement(period_id: int, threshold: float) -> Agreement:
    """Return the total differences of the double-marked reports (threshold: of the max total).

    Counted by the database per distinct difference (a few dozen values at most).
    """
    period = db.session.get_one(Period, period_id)
    pairs = double_marks(period_id)
    counts = db.session.execute(
        select(pairs.c.difference, func.count()).group_by(pairs.c.difference)
    ).all()
    return Agreement({float(d): n for d, n in counts}, threshold * period.rubric_version.max_total)
