"""Write audit events, and answer "who has seen this report, when, from which address".

Every reader of a report's content calls record_read: the review page, video, poster,
captions, paper files, the API's transcript, analyses, assessment sheets and exports. A read
is stored once per (user, file) within AUDIT_READ_WINDOW seconds, so a video played through
many Range requests is one row, while a read after the window is a new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, or_, select

from review import clock
from review.extensions import db
from review.models import AuditEvent, Submission, User

READ = "read"
DEFAULT_WINDOW = 600


def record(
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: Any,
    detail: dict | None = None,
    ip: str | None = None,
    *,
    commit: bool = True,
) -> None:
    """Record that actor_id did action on (object_type, object_id)."""
    db.session.add(
        AuditEvent(
            actor_id=actor_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            detail=detail or {},
            ip=ip,
        )
    )
    if commit:
        db.session.commit()


def read_window() -> timedelta:
    """Return the de-duplication window of reads (AUDIT_READ_WINDOW seconds)."""
    return timedelta(seconds=int(current_app.config.get("AUDIT_READ_WINDOW", DEFAULT_WINDOW)))


def record_read(
    actor_id: int,
    object_type: str,
    object_id: Any,
    file: str,
    ip: str | None = None,
    *,
    detail: dict | None = None,
    window: timedelta | None = None,
    commit: bool = True,
) -> bool:
    """Record that actor read file (e.g. "video:12") of an object; once per window.

    Returns:
        True when a row was written, False when the same read is already on record.
    """
    now = clock.now()
    window = read_window() if window is None else window
    recent = db.session.scalar(
        select(AuditEvent.id)
        .where(
            AuditEvent.actor_id == actor_id,
            AuditEvent.file == file,
            AuditEvent.action == READ,
            AuditEvent.created_at > now - window,
        )
        .limit(1)
    )
    if recent is not None:
        return False
    db.session.add(
        AuditEvent(
            actor_id=actor_id,
            action=READ,
            object_type=object_type,
            object_id=str(object_id),
            file=file,
            detail=detail or {},
            ip=ip,
            created_at=now,
        )
    )
    if commit:
        db.session.commit()
    return True


@dataclass
class Entry:
    """One line of the audit page."""

    event: AuditEvent
    user: User | None


def history(
    submission_id: int | None = None, actor_id: int | None = None, *, limit: int = 500
) -> list[Entry]:
    """Return the audit events about a submission (its exports included) and/or by a user.

    Newest first. A period export counts for a submission when it covered its branch.
    """
    stmt = select(AuditEvent, User).outerjoin(User, User.id == AuditEvent.actor_id)
    submission = db.session.get(Submission, submission_id) if submission_id else None
    if submission_id is not None:
        if submission is None:
            return []
        sid = submission.id
        versions = [str(v.id) for v in submission.versions]
        stmt = stmt.where(
            or_(
                and_(AuditEvent.object_type == "submission", AuditEvent.object_id == str(sid)),
                and_(
                    AuditEvent.object_type == "submission_version",
                    AuditEvent.object_id.in_(versions),
                ),
                and_(
                    AuditEvent.object_type == "period",
                    AuditEvent.object_id == str(submission.period_id),
                ),
            )
        )
    if actor_id is not None:
        stmt = stmt.where(AuditEvent.actor_id == actor_id)
    rows = db.session.execute(stmt.order_by(AuditEvent.id.desc()).limit(limit * 2)).all()
    entries = [Entry(event, user) for event, user in rows if _about(event, submission)]
    return entries[:limit]


def _about(event: AuditEvent, submission: Submission | None) -> bool:
    if submission is None:
        return True
    if event.object_type == "period":  # an export: of the whole period, or of this branch
        branch = (event.detail or {}).get("branch_id")
        return branch is None or branch == submission.branch_id
    return True
