"""Write audit events."""

from __future__ import annotations

from typing import Any

from review.extensions import db
from review.models import AuditEvent


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
