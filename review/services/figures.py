"""The release list's figures of each submission, kept on its row so the list pages in SQL.

Per submission, of its current (newest) version: how far apart the first two submitted
reviews' totals are (by submitted_at, id), the agreed total (the sum of the decision's marks)
else the reviewers' mean total, and the rank of its decision (released, the outcome,
undecided). These are agreement.Row's difference, total and decision_key, computed here in
SQL; tests/committee/test_figures.py proves both give the same.

Aggregating 100 000 submissions' reviews per request took over a second (SQLite), so every
service that changes what they depend on calls refresh() for the submissions it changed, in
its own transaction: submitting a review, a new version, setting, releasing or withdrawing a
decision. The period's disagreement threshold is not stored: the list compares with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, case, func, literal, select, update

from review.extensions import db
from review.models import (
    AgreedMark,
    Decision,
    Review,
    ReviewState,
    Score,
    Submission,
    SubmissionVersion,
)

DECISION_ORDER = {"undecided": 0, "pass": 1, "revise": 2, "fail": 3, "released": 4}


def values(where: Any) -> Any:
    """Select (submission_id, difference, total, rank) for the submissions matching where."""
    newest = (
        select(SubmissionVersion.submission_id, func.max(SubmissionVersion.number).label("n"))
        .join(Submission, Submission.id == SubmissionVersion.submission_id)
        .where(where)
        .group_by(SubmissionVersion.submission_id)
        .subquery()
    )
    current = (
        select(SubmissionVersion.id, SubmissionVersion.submission_id)
        .join(
            newest,
            and_(
                newest.c.submission_id == SubmissionVersion.submission_id,
                newest.c.n == SubmissionVersion.number,
            ),
        )
        .subquery()
    )
    submitted = Review.state == ReviewState.SUBMITTED.value
    points = (
        select(Score.review_id, func.sum(Score.points).label("points"))
        .join(Review, Review.id == Score.review_id)
        .join(current, current.c.id == Review.version_id)
        .where(submitted)
        .group_by(Score.review_id)
        .subquery()
    )
    reviews = (
        select(
            Review.version_id,
            func.coalesce(points.c.points, 0).label("total"),
            func.row_number()
            .over(partition_by=Review.version_id, order_by=(Review.submitted_at, Review.id))
            .label("position"),
        )
        .join(current, current.c.id == Review.version_id)
        .outerjoin(points, points.c.review_id == Review.id)
        .where(submitted)
        .subquery()
    )
    totals = (
        select(
            reviews.c.version_id,
            func.max(case((reviews.c.position == 1, reviews.c.total))).label("first"),
            func.max(case((reviews.c.position == 2, reviews.c.total))).label("second"),
            func.avg(reviews.c.total).label("mean"),
        )
        .group_by(reviews.c.version_id)
        .subquery()
    )
    agreed = (
        select(AgreedMark.decision_id, func.sum(AgreedMark.points).label("points"))
        .join(Decision, Decision.id == AgreedMark.decision_id)
        .join(current, current.c.id == Decision.version_id)
        .group_by(AgreedMark.decision_id)
        .subquery()
    )
    key = case(
        (Decision.released_at.is_not(None), literal("released")),
        (Decision.outcome.is_not(None), Decision.outcome),
        else_=literal("undecided"),
    )
    return (
        select(
            current.c.submission_id,
            func.abs(totals.c.first - totals.c.second).label("difference"),
            func.coalesce(agreed.c.points, totals.c.mean).label("total"),
            case(*((key == name, rank) for name, rank in DECISION_ORDER.items()), else_=0).label(
                "rank"
            ),
        )
        .outerjoin(totals, totals.c.version_id == current.c.id)
        .outerjoin(Decision, Decision.version_id == current.c.id)
        .outerjoin(agreed, agreed.c.decision_id == Decision.id)
    )


def _store(where: Any) -> int:
    table = cast(Table, Submission.__table__)  # a Core executemany, no ORM objects
    found = db.session.execute(values(where)).all()
    if found:
        db.session.execute(
            update(table)
            .where(table.c.id == bindparam("sid"))
            .values(
                review_difference=bindparam("difference"),
                list_total=bindparam("total"),
                decision_rank=bindparam("rank"),
            ),
            [{"sid": r[0], "difference": r[1], "total": r[2], "rank": r[3]} for r in found],
        )
    return len(found)


def refresh(submission_ids: Iterable[int]) -> None:
    """Recompute the figures of these submissions in the caller's transaction (no commit)."""
    ids = sorted(set(submission_ids))
    for start in range(0, len(ids), 500):
        _store(Submission.id.in_(ids[start : start + 500]))


def refresh_period(period_id: int) -> int:
    """Recompute the figures of every submission of a period and commit; return how many."""
    stored = _store(Submission.period_id == period_id)
    db.session.commit()
    return stored
