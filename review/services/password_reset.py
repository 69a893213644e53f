"""Self-service password reset by email: a signed, single-use, expiring link.

The link carries the user id, its expiry and a fingerprint of the password hash and the session
version, signed with SECRET_KEY: using it changes both, so a second use (or a link older than
the last reset or logout-everywhere) no longer matches. Asking for a link always gets the same
answer, whether or not the account exists or has an email address.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, or_, select

from review import clock
from review.exceptions import HuibaoError, ValidationError
from review.extensions import db
from review.models import User
from review.services import accounts, events, throttle
from review.services.notifications import notify

WINDOW = 3600  # the request limits count per hour


class ResetThrottledError(HuibaoError):
    """Too many reset requests from one network (HTTP 429)."""

    code = "rate_limited"
    status = 429


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _fingerprint(user: User) -> str:
    raw = f"{user.password_hash}|{user.session_version or 0}".encode()
    return hashlib.sha256(raw).hexdigest()[:24]


def make_token(user: User, now: datetime | None = None) -> str:
    """Return the signed reset token of user, valid PASSWORD_RESET_MINUTES from now."""
    expires = (now or clock.now()) + timedelta(minutes=current_app.config["PASSWORD_RESET_MINUTES"])
    return str(_serializer().dumps([user.id, int(expires.timestamp()), _fingerprint(user)]))


def user_for_token(token: str, now: datetime | None = None) -> User | None:
    """Return the active user a valid, unexpired, unused token belongs to, else None."""
    if not token or len(token) > 300:
        return None
    try:
        user_id, expires, fingerprint = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or not isinstance(expires, int):
        return None
    if (now or clock.now()).timestamp() > expires:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        return None
    if not hmac.compare_digest(str(fingerprint), _fingerprint(user)):
        return None  # used already, or the password changed since
    return user


def request_reset(identifier: str, address: str | None, now: datetime | None = None) -> None:
    """Email a reset link to the account named by username or email, if it has an address.

    Says nothing about whether the account exists: the caller shows the same answer always.
    At most PASSWORD_RESET_PER_ACCOUNT links per account and hour are sent (further ones are
    silently dropped).

    Raises:
        ResetThrottledError: this network asked more than PASSWORD_RESET_PER_ADDRESS times
            within the hour.
    """
    cfg = current_app.config
    if not throttle.allow("reset-addr", address or "-", cfg["PASSWORD_RESET_PER_ADDRESS"], WINDOW):
        raise ResetThrottledError(_l("此网络申请重置密码的次数过多，请一小时后再试。"))
    identifier = identifier.strip()
    if not identifier or len(identifier) > 254:
        return
    users = db.session.scalars(
        select(User).where(
            User.active.is_(True),
            or_(User.username == identifier, func.lower(User.email) == identifier.lower()),
        )
    ).all()
    now = now or clock.now()
    for user in users:
        if not user.email:
            continue
        limit = cfg["PASSWORD_RESET_PER_ACCOUNT"]
        if not throttle.allow("reset-user", str(user.id), limit, WINDOW):
            continue
        _send_link(user, now)
    db.session.commit()


def _send_link(user: User, now: datetime) -> None:
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        title = _("重置汇报系统的密码")
        body = _(
            "%(name)s，您好：\n有人（希望是您本人）申请重置您在汇报系统的账号（%(username)s）的"
            "密码。请在 %(minutes)d 分钟内打开下面的链接设置新密码，链接只能使用一次。\n"
            "如果不是您本人申请，请忽略这封邮件，您的密码不会改变。",
            name=user.name,
            username=user.username,
            minutes=minutes,
        )
    notify(
        db.session,
        recipient_id=user.id,
        kind="password_reset",
        key=f"reset-{int(now.timestamp())}-{secrets.token_hex(4)}",
        title=title,
        body=body,
        link=f"/password/reset/{make_token(user, now)}",
    )


def reset_password(token: str, new: str, now: datetime | None = None) -> User:
    """Set a new password through a reset link; end every session and API token of the user.

    Raises:
        ValidationError: the link is invalid, expired or used, or the password is too weak.
    """
    user = user_for_token(token, now)
    if user is None:
        raise ValidationError(invalid_link_message())
    accounts.validate_password(new, user.username, user.name)
    user.set_password(new)
    user.must_change_password = False
    accounts.end_sessions(user)
    events.password_changed(user, "reset")
    db.session.commit()
    return user


def invalid_link_message() -> str:
    """Return the message for a reset link that is invalid, expired or already used."""
    return str(_l("这个重置链接已失效（超过有效期、已经用过或不完整），请重新申请。"))
