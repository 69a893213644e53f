"""Agreement between two reviewers: mean absolute difference and quadratic-weighted kappa."""

from __future__ import annotations

from dataclasses import dataclass

from review.services.exports.rows import ExportRow


def quadratic_weighted_kappa(pairs: list[tuple[int, int]], categories: int) -> float | None:
    """Return Cohen's kappa with quadratic weights for ratings 0..categories-1.

    Returns None when it is undefined: no pairs, or both raters always gave one same rating.
    """
    if not pairs or categories < 2:
        return None
    n = len(pairs)
    observed = [[0.0] * categories for _ in range(categories)]
    hist_a, hist_b = [0] * categories, [0] * categories
    for a, b in pairs:
        observed[a][b] += 1
        hist_a[a] += 1
        hist_b[b] += 1
    scale = (categories - 1) ** 2
    num = den = 0.0
    for i in range(categories):
        for j in range(categories):
            weight = (i - j) ** 2 / scale
            num += weight * observed[i][j] / n
            den += weight * hist_a[i] * hist_b[j] / (n * n)
    return None if den == 0 else 1.0 - num / den


@dataclass
class Agreement:
    """How closely the two reviewers of double-marked submissions agree."""

    double_marked: int
    mean_abs_difference: float | None  # of the totals
    kappa: float | None  # quadratic-weighted, over every criterion score pair


def agreement(rows: list[ExportRow], positions: list[int], max_points: int) -> Agreement:
    """Compute agreement over rows that two reviewers marked completely."""
    diffs: list[float] = []
    pairs: list[tuple[int, int]] = []
    for row in rows:
        if len(row.scores) < 2:
            continue
        first = [row.scores[0].get(p) for p in positions]
        second = [row.scores[1].get(p) for p in positions]
        a, b = row.reviewer_total(0), row.reviewer_total(1)
        if a is None or b is None or None in first or None in second:
            continue
        diffs.append(abs(a - b))
        for x, y in zip(first, second, strict=True):
            pairs.append((_clamp(x or 0, max_points), _clamp(y or 0, max_points)))
    mad = sum(diffs) / len(diffs) if diffs else None
    return Agreement(len(diffs), mad, quadratic_weighted_kappa(pairs, max_points + 1))


def _clamp(points: float, max_points: int) -> int:
    return min(max(int(round(points)), 0), max_points)
