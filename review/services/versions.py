"""Query conditions on submission versions shared by the queue, the dashboard and the lists."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, exists
from sqlalchemy.orm import aliased

from review.models import SubmissionVersion


def is_current(version: type[SubmissionVersion] | Any) -> ColumnElement[bool]:
    """Return the condition that version is its submission's newest (none has a higher number).

    An anti-join rather than "number = (SELECT max(number) ...)": with statistics PostgreSQL
    hashed every version of the table to evaluate the max (the queue took 113 ms at 100 000
    submissions, 37 ms with this).
    """
    newer = aliased(SubmissionVersion)
    return ~exists().where(
        newer.submission_id == version.submission_id, newer.number > version.number
    )
