"""The in-app inbox (消息): a user's in-app rows, the unread count, marking them read."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from review.clock import now
from review.exceptions import NotFoundError
from review.extensions import db
from review.models import Channel, Notification

INAPP = Channel.INAPP.value


def _mine(user_id: int):  # noqa: ANN202
    return (Notification.recipient_id == user_id) & (Notification.channel == INAPP)


def messages(
    user_id: int, *, limit: int = 50, before_id: int | None = None, unread_only: bool = False
) -> list[Notification]:
    """Return the user's newest in-app notifications (older than before_id when given)."""
    stmt = select(Notification).where(_mine(user_id))
    if before_id:
        stmt = stmt.where(Notification.id < before_id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return list(db.session.scalars(stmt.order_by(Notification.id.desc()).limit(limit)))


def unread_count(user_id: int, cap: int | None = 100) -> int:
    """Count the user's unread in-app notifications, up to cap (the header shows 99+)."""
    unread = select(Notification.id).where(_mine(user_id), Notification.read_at.is_(None))
    if cap is not None:
        unread = unread.limit(cap)  # the header's count stays cheap however many there are
    return db.session.scalar(select(func.count()).select_from(unread.subquery())) or 0


def mark_read(user_id: int, notification_id: int) -> Notification:
    """Mark one of the user's notifications read; another's is not found."""
    row = db.session.get(Notification, notification_id)
    if row is None or row.recipient_id != user_id or row.channel != INAPP:
        raise NotFoundError(_l("找不到该消息。"))
    if row.read_at is None:
        row.read_at = now()
        db.session.commit()
    return row


def mark_all_read(user_id: int) -> int:
    """Mark every unread notification of the user read; return how many."""
    result = db.session.execute(
        update(Notification)
        .where(_mine(user_id), Notification.read_at.is_(None))
        .values(read_at=now())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount  # type: ignore[attr-defined]  # a CursorResult
