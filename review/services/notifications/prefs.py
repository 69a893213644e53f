"""Who wants what: per-user channel choices per kind (defaults from the kinds registry)."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, scoped_session

from review.exceptions import NotFoundError, ValidationError
from review.extensions import db
from review.models import NotificationPreference, User
from review.services.notifications.kinds import INAPP, USER_CHANNELS, Kind, kinds_for_role

EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


def channels_for(session: Session | scoped_session, user: User, kind: Kind) -> set[str]:
    """Return the channels user wants for kind: their choices over the kind's defaults."""
    if kind.forced:
        return set(kind.defaults)
    chosen = {
        p.channel: p.enabled
        for p in session.scalars(
            select(NotificationPreference).where(
                NotificationPreference.user_id == user.id, NotificationPreference.kind == kind.name
            )
        )
    }
    wanted = {c for c in USER_CHANNELS if chosen.get(c, c in kind.defaults)}
    return wanted | {INAPP}  # the in-app message is always kept: nobody misses a deadline


def preferences(user: User) -> list[tuple[Kind, dict[str, bool]]]:
    """Return the kinds shown to user with the channel choices in effect."""
    return [
        (kind, {c: c in channels_for(db.session, user, kind) for c in USER_CHANNELS})
        for kind in kinds_for_role(user.role)
    ]


def save_preferences(user_id: int, enabled: set[tuple[str, str]]) -> None:
    """Store the user's choices: `enabled` holds the (kind, channel) pairs they ticked."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFoundError(_l("找不到该账号。"))
    db.session.execute(
        delete(NotificationPreference).where(NotificationPreference.user_id == user_id)
    )
    for kind in kinds_for_role(user.role):
        for channel in USER_CHANNELS:
            if channel == INAPP:
                continue
            on = (kind.name, channel) in enabled
            if on != (channel in kind.defaults):  # only what differs from the default is kept
                db.session.add(
                    NotificationPreference(
                        user_id=user_id, kind=kind.name, channel=channel, enabled=on
                    )
                )
    db.session.commit()


def normalise_email(address: str | None) -> str | None:
    """Return a cleaned email address, None for an empty one; raise ValidationError if bad."""
    address = (address or "").strip()
    if not address:
        return None
    if len(address) > 254 or not EMAIL_PATTERN.fullmatch(address):
        raise ValidationError(_l("邮箱地址“%(v)s”格式不正确。", v=address))
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


def set_email(user_id: int, address: str | None) -> User:
    """Set or clear a user's email address."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFoundError(_l("找不到该账号。"))
    user.email = normalise_email(address)
    db.session.commit()
    return user
