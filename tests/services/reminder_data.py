"""Rows for the reminder and event tests, written directly (no pipeline, no pages)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from review.extensions import db
from review.models import Period, Submission, SubmissionVersion, User, Video
from review.models.notification import Notification


def activist(username: str, branch_id: int, name: str = "学员") -> User:
    """Add an active activist of branch_id (no password needed: nobody logs in)."""
    user = User(
        username=username, name=name, role="activist", branch_id=branch_id, password_hash="x"
    )
    db.session.add(user)
    db.session.flush()
    return user


def report(
    user: User,
    period: Period,
    *,
    state: str = "submitted",
    submitted_at: datetime | None = None,
    reviewable: bool = True,
) -> Submission:
    """Add user's report for period: one version with a video (submitted unless a draft)."""
    video = Video(
        owner_id=user.id,
        period_id=period.id,
        state="ready",
        reviewable=reviewable,
        original_path=f"videos/{user.id}/original.mp4",
        sha256="0" * 64,
        size_bytes=1000,
    )
    submission = Submission(
        activist_id=user.id, period_id=period.id, branch_id=user.branch_id, state=state
    )
    submission.versions.append(
        SubmissionVersion(
            number=1,
            paper_kind="text",
            paper_text="思想汇报",
            video=video,
            submitted_at=None if state == "draft" else submitted_at or period.opens_at,
        )
    )
    db.session.add_all([video, submission])
    db.session.flush()
    return submission


def rows(kind: str, channel: str = "inapp", **where: object) -> list[Notification]:
    """Return the outbox rows of kind on channel (and the given column values)."""
    stmt = select(Notification).where(Notification.kind == kind, Notification.channel == channel)
    for column, value in where.items():
        stmt = stmt.where(getattr(Notification, column) == value)
    return list(db.session.scalars(stmt.order_by(Notification.id)))
