"""The committee's side-by-side view of two reviews: the difference per criterion and in total."""

from __future__ import annotations

from dataclasses import dataclass

from review.models import Criterion, Review


@dataclass(frozen=True)
class Difference:
    """How far the first two reviewers are apart on one line, and whether that is too far."""

    points: float
    limit: float

    @property
    def over(self) -> bool:
        """Return True when the difference exceeds the period's threshold for this line."""
        return self.points > self.limit


def differences(
    criteria: list[Criterion], reviews: list[Review], limit: float, max_total: float
) -> tuple[dict[int, Difference], Difference | None]:
    """Return the first two reviews' differences per criterion id and in total.

    The period's threshold is points of the total; a criterion gets its share of it
    (limit × max_points / max_total). Criteria one reviewer left unscored are skipped.
    """
    if len(reviews) < 2 or max_total <= 0:
        return {}, None
    first, second = ({s.criterion_id: s.points for s in r.scores} for r in reviews[:2])
    per: dict[int, Difference] = {}
    for c in criteria:
        a, b = first.get(c.id), second.get(c.id)
        if a is not None and b is not None:
            per[c.id] = Difference(abs(a - b), limit * c.max_points / max_total)
    totals = [sum(p for p in marks.values() if p is not None) for marks in (first, second)]
    return per, Difference(abs(totals[0] - totals[1]), limit)
