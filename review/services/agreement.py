"""The release list: reviewers' totals, disagreement, suggested decisions, sorting and
filtering, and agreeing marks in bulk where the two reviewers agree."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from review.extensions import db
from review.models import Decision, Period, Review, ReviewState, Submission
from review.services import audit, decisions

SORTS = ("branch", "total", "-total", "difference", "-difference", "decision")
DECISION_FILTERS = ("undecided", "pass", "revise", "fail", "released")


@dataclass(frozen=True)
class Thresholds:
    """A period's disagreement limit (points of the total) and suggestion thresholds."""

    disagreement: float
    pass_min: float
    revise_min: float


def thresholds(period: Period) -> Thresholds:
    """Return the period's thresholds; unset ones default to Config and 60 % / 40 %."""
    max_total = period.rubric_version.max_total
    fraction = period.disagreement_threshold
    if fraction is None:
        fraction = float(current_app.config["DISAGREEMENT_THRESHOLD"])
    pass_min = period.pass_min if period.pass_min is not None else 0.6 * max_total
    revise_min = period.revise_min if period.revise_min is not None else 0.4 * max_total
    return Thresholds(fraction * max_total, pass_min, revise_min)


def suggest(limits: Thresholds, total: float | None) -> str | None:
    """Return the outcome a total suggests (通过 / 需修改 / 不通过); None without a total."""
    if total is None:
        return None
    if total >= limits.pass_min:
        return "pass"
    return "revise" if total >= limits.revise_min else "fail"


def half_points(value: float) -> float:
    """Round to the nearest half point, halves up (as the decide page's 取平均 does)."""
    return math.floor(value * 2 + 0.5) / 2


@dataclass
class Row:
    """One submission of the release list."""

    submission: Submission
    decision: Decision | None
    reviews: list[Review]
    totals: list[float]
    limit: float
    suggestion: str | None = None

    @property
    def difference(self) -> float | None:
        """Return how far apart the first two reviewers' totals are."""
        return abs(self.totals[0] - self.totals[1]) if len(self.totals) >= 2 else None

    @property
    def disagrees(self) -> bool:
        """Return True when two reviewers' totals differ by more than the period's limit."""
        return self.difference is not None and self.difference > self.limit

    @property
    def agreed_total(self) -> float | None:
        """Return the sum of the agreed marks, None before any."""
        if self.decision is None or not self.decision.marks:
            return None
        return sum(m.points for m in self.decision.marks)

    @property
    def total(self) -> float | None:
        """Return the agreed total, else the reviewers' mean total."""
        if self.agreed_total is not None:
            return self.agreed_total
        return sum(self.totals) / len(self.totals) if self.totals else None

    @property
    def decision_key(self) -> str:
        """Return released, the outcome, or undecided."""
        if self.decision is not None and self.decision.released_at is not None:
            return "released"
        return (self.decision.outcome if self.decision else None) or "undecided"


def rows(period: Period, submissions: Iterable[Submission]) -> list[Row]:
    """Return the release list's rows for submissions of period (the caller checked access)."""
    subs = list(submissions)
    versions = {s.id: s.versions[-1].id for s in subs if s.versions}
    reviews: dict[int, list[Review]] = {}
    for review in db.session.scalars(
        select(Review)
        .where(
            Review.version_id.in_(list(versions.values()) or [-1]),
            Review.state == ReviewState.SUBMITTED.value,
        )
        .options(selectinload(Review.scores))
        .order_by(Review.submitted_at, Review.id)
    ):
        reviews.setdefault(review.version_id, []).append(review)
    found = {
        d.version_id: d
        for d in db.session.scalars(
            select(Decision)
            .where(Decision.version_id.in_(list(versions.values()) or [-1]))
            .options(selectinload(Decision.marks))
        )
    }
    limits = thresholds(period)
    need = 2 if period.double_marking else 1  # a suggestion waits for every review
    out = []
    for s in subs:
        vid = versions.get(s.id)
        group = reviews.get(vid, []) if vid else []
        totals = [sum(sc.points or 0 for sc in r.scores) for r in group]
        row = Row(s, found.get(vid) if vid else None, group, totals, limits.disagreement)
        complete = row.agreed_total is not None or len(totals) >= need
        row.suggestion = suggest(limits, row.total) if complete and not row.disagrees else None
        out.append(row)
    return out


@dataclass
class AgreeSummary:
    """What a bulk agreement did: the submissions agreed and those refused with a reason."""

    agreed: list[Submission] = field(default_factory=list)
    refused: list[tuple[Submission, str]] = field(default_factory=list)
    unadopted: list[Submission] = field(default_factory=list)  # suggested 需修改: not set


def _refusal(row: Row, period: Period) -> str | None:
    if row.decision is not None and row.decision.released_at is not None:
        return str(_l("结果已发布"))
    if row.decision is not None and row.decision.marks:
        return str(_l("已有认定分数，未覆盖"))
    need = 2 if period.double_marking else 1
    criteria = {c.id for c in period.rubric_version.criteria}
    complete = [
        r
        for r in row.reviews
        if {s.criterion_id for s in r.scores if s.points is not None} >= criteria
    ]
    if len(complete) < need:
        return str(_l("评分尚未齐全"))
    if row.disagrees:
        return str(
            _l(
                "两位审阅人总分相差 %(d)s 分，超过阈值 %(t)s 分，请逐份认定",
                d=f"{row.difference:g}",
                t=f"{row.limit:g}",
            )
        )
    return None


def bulk_agree(
    actor_id: int, period_id: int, submission_ids: Iterable[int], *, adopt_suggestion: bool = False
) -> AgreeSummary:
    """Agree the marks of the selected submissions where their reviewers agree.

    Agreed marks are the reviewers' mean per criterion (half points, halves up). Submissions
    already released or with agreed marks, with incomplete reviews, or whose two totals differ
    by more than the period's threshold are refused with a reason. adopt_suggestion sets the
    suggested outcome where none was chosen: the committee confirms it with this click.
    """
    period = db.session.get_one(Period, period_id)
    subs = db.session.scalars(
        select(Submission)
        .where(Submission.period_id == period_id, Submission.id.in_(list(submission_ids) or [-1]))
        .order_by(Submission.branch_id, Submission.id)
    )
    summary = AgreeSummary()
    for row in rows(period, [s for s in subs if s.current and s.current.frozen]):
        reason = _refusal(row, period)
        if reason is not None:
            summary.refused.append((row.submission, reason))
            continue
        marks: dict[int, float | None] = {}
        for criterion in period.rubric_version.criteria:
            points = [
                s.points
                for r in row.reviews[:2]
                for s in r.scores
                if s.criterion_id == criterion.id and s.points is not None
            ]
            marks[criterion.id] = half_points(sum(points) / len(points))
        outcome = row.decision.outcome if row.decision else None
        redo = row.decision.redo if row.decision else None
        if outcome is None and adopt_suggestion:
            outcome = suggest(thresholds(period), sum(p or 0 for p in marks.values()))
            if outcome == "revise":  # what to redo is the committee's to say, one by one
                summary.unadopted.append(row.submission)
                outcome = None
        comment = row.decision.comment if row.decision else ""
        decisions.set_decision(row.submission.id, actor_id, marks, outcome, comment, redo)
        summary.agreed.append(row.submission)
    audit.record(
        actor_id,
        "bulk_agree",
        "period",
        period_id,
        {
            "agreed": [s.id for s in summary.agreed],
            "refused": [s.id for s, _ in summary.refused],
            "adopt_suggestion": adopt_suggestion,
        },
    )
    return summary
