"""One page of the committee's release list, filtered, sorted and counted in SQL.

The list used to load every submission of the period and build its rows in Python
(agreement.rows, then a select_rows in Python): seconds at 100 000 submissions. Now the
database finds the page's submission ids on the figures that services/figures.py keeps on
each submission (covered by the ix_submissions_release_* indexes), with the semantics the
Python list had: ties keep the branch order, rows without a value go last. Only the page's
rows are built, by agreement.rows (totals, suggestion, decision, as the template shows them).

The count and the order read the indexes: the period's submissions whose state left draft,
which only submissions.submit_version does, once a version is frozen; the same set that
access.visible_submissions gives the committee, which is still applied to the rows shown.
Pages are numbered (OFFSET, PER_PAGE rows): the sorts have nullable keys and ties that a
cursor would have to spell out per dialect, and a deep page costs an index scan, no row read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from review.access import visible_submissions
from review.extensions import db
from review.models import Period, Submission, SubmissionState, SubmissionVersion, User
from review.services import agreement
from review.services.agreement import DECISION_FILTERS, Row
from review.services.figures import DECISION_ORDER

PER_PAGE = 50


@dataclass(frozen=True)
class Filters:
    """What the committee asked the list for: decision, disagreement, total range, sort, branch."""

    decision: str = ""
    disagreement: str = ""
    min_total: float | None = None
    max_total: float | None = None
    sort: str = "branch"
    branch_id: int | None = None

    @property
    def narrows(self) -> bool:
        """Tell whether a filter other than the branch leaves submissions out."""
        return (
            self.decision in DECISION_FILTERS
            or self.disagreement in ("yes", "no")
            or self.min_total is not None
            or self.max_total is not None
        )


@dataclass
class ReleasePage:
    """One page of the release list: its rows, how many match in all, which page of how many."""

    rows: list[Row]
    total: int
    number: int
    per_page: int

    @property
    def pages(self) -> int:
        """Return the number of pages (at least one)."""
        return max(1, math.ceil(self.total / self.per_page))


def _matching(period: Period, filters: Filters) -> Select:
    """Select the ids of the period's listed submissions that match the filters."""
    stmt = select(Submission.id).where(
        Submission.period_id == period.id, Submission.state != SubmissionState.DRAFT.value
    )
    if filters.branch_id:
        stmt = stmt.where(Submission.branch_id == filters.branch_id)
    if filters.decision in DECISION_FILTERS:
        stmt = stmt.where(Submission.decision_rank == DECISION_ORDER[filters.decision])
    limit = agreement.thresholds(period).disagreement
    if filters.disagreement == "yes":
        stmt = stmt.where(Submission.review_difference > limit)
    elif filters.disagreement == "no":
        stmt = stmt.where(
            or_(Submission.review_difference.is_(None), Submission.review_difference <= limit)
        )
    if filters.min_total is not None:
        stmt = stmt.where(Submission.list_total >= filters.min_total)
    if filters.max_total is not None:
        stmt = stmt.where(Submission.list_total <= filters.max_total)
    return stmt


def _order(sort: str) -> list[Any]:
    """Return the order of sort: by its value, rows without one last, ties by branch and id."""
    column = {
        "total": Submission.list_total,
        "-total": Submission.list_total,
        "difference": Submission.review_difference,
        "-difference": Submission.review_difference,
        "decision": Submission.decision_rank,
    }.get(sort)
    if column is None:
        return [Submission.branch_id, Submission.id]
    first = column.desc() if sort.startswith("-") else column.asc()
    return [first.nulls_last(), Submission.branch_id, Submission.id]


def list_page(
    user_id: int, period_id: int, filters: Filters, number: int = 1, per_page: int = PER_PAGE
) -> ReleasePage:
    """Return page `number` (from 1) of the period's release list, filtered and sorted.

    The rows are those of the submissions user may read (the caller checked the role).
    """
    user = db.session.get_one(User, user_id)
    period = db.session.get_one(Period, period_id)
    number = max(1, number)
    stmt = _matching(period, filters)
    ids = list(
        db.session.scalars(
            stmt.order_by(*_order(filters.sort)).limit(per_page).offset((number - 1) * per_page)
        )
    )
    total = db.session.scalar(stmt.with_only_columns(func.count())) or 0
    loaded = {
        s.id: s
        for s in db.session.scalars(
            visible_submissions(user)
            .where(Submission.id.in_(ids))
            .options(
                selectinload(Submission.versions).load_only(
                    SubmissionVersion.id, SubmissionVersion.number, SubmissionVersion.submitted_at
                ),
                joinedload(Submission.activist).joinedload(User.branch),
            )
        )
    }
    rows = agreement.rows(period, [loaded[i] for i in ids if i in loaded])
    return ReleasePage(rows, total, number, per_page)
