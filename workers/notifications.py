"""RQ job that delivers one notification outbox row (idempotent: the row is claimed first)."""

from __future__ import annotations

from review.services.notifications import outbox


def deliver_notification(notification_id: int) -> str:
    """Deliver the row at most once; a failure is recorded on it and retried, never raised."""
    return outbox.deliver(notification_id)
