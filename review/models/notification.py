"""The notification outbox (one row per recipient, event and channel) and preferences."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from review.clock import now
from review.extensions import Model
from review.models._common import UTCDateTime


class NotificationState(enum.StrEnum):
    """Where a row is: waiting, claimed by one deliverer, delivered, or given up."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class Channel(enum.StrEnum):
    """How a notification reaches its reader."""

    INAPP = "inapp"
    EMAIL = "email"
    BOT = "bot"  # the branch's group-chat robot (企业微信 / 钉钉 / 飞书)
    WECHAT = "wechat"  # 公众号 template message: a seam, needs credentials (docs/)


class Notification(Model):
    """One outbox row: written in the event's transaction, delivered at most once."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("recipient_id", "kind", "key", "channel", name="uq_notifications_once"),
        UniqueConstraint("branch_id", "kind", "key", "channel", name="uq_notifications_branch"),
        Index("ix_notifications_due", "state", "next_attempt_at"),
        Index("ix_notifications_inbox", "recipient_id", "channel", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(16), default=NotificationState.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NotificationPreference(Model):
    """A user's choice for one kind and channel (absent: the kind's default)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
