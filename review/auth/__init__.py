"""Authentication: Flask-Login sessions and bearer tokens for the API."""

from __future__ import annotations

from flask import Flask, Request, g, request
from flask_babel import lazy_gettext as _l

from review.extensions import db, login_manager
from review.models import User


def init_app(app: Flask) -> None:
    """Configure Flask-Login: session loader, bearer-token loader, login view."""
    if app.config.get("ARGON2_FAST"):
        from argon2 import PasswordHasher

        from review.models.user import set_hasher

        set_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("请先登录。")
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)
    login_manager.request_loader(_load_user_from_request)


def _load_user(session_id: str) -> User | None:
    """Load the session's user unless its session version has moved on since it was signed."""
    row_id, _, version = session_id.partition(".")
    if not row_id.isdigit() or not version.isdigit():
        return None  # a cookie from before session versions, or forged
    user = db.session.get(User, int(row_id))
    if user is None or (user.session_version or 0) != int(version):
        return None
    return user


def bearer_token(req: Request) -> str | None:
    """Return the bearer token of req, if any."""
    header = req.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


def _load_user_from_request(req: Request) -> User | None:
    from review.services.tokens import user_for_token

    token = bearer_token(req)
    if token is None or not request.path.startswith("/api/"):
        return None
    user = user_for_token(token)
    g.token_authenticated = user is not None
    return user


def is_token_authenticated() -> bool:
    """Tell whether this request's user was signed in by a valid bearer token (not a cookie)."""
    return bool(g.get("token_authenticated"))
