"""Delivery channels behind one interface: each sends one outbox row or raises DeliveryError."""

from __future__ import annotations

from typing import Protocol

from review.models import Notification


class DeliveryError(Exception):
    """A channel could not deliver a row; the message is kept as the row's last error."""


class Sender(Protocol):
    """What a channel does: send one row (email, bot, 公众号), raising DeliveryError."""

    def __call__(self, row: Notification) -> None: ...


def sender_for(channel: str) -> Sender:
    """Return the function that sends rows of channel."""
    from review.models import Channel

    if channel == Channel.EMAIL.value:
        from review.services.notifications.channels.email import send_row

        return send_row
    if channel == Channel.BOT.value:
        from review.services.notifications.channels.bots import send_row as send_bot

        return send_bot
    if channel == Channel.WECHAT.value:
        from review.services.notifications.channels.wechat import send_row as send_wechat

        return send_wechat
    raise DeliveryError(f"no sender for channel {channel!r}")
