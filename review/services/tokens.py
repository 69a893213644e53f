"""API bearer tokens: issue and resolve; only a hash is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select

from review import clock
from review.extensions import db
from review.models import ApiToken, User


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user_id: int, days: int = 30) -> str:
    """Create a bearer token for user_id valid for days; return the token itself."""
    token = secrets.token_urlsafe(32)
    expires = clock.now() + timedelta(days=days)
    db.session.add(ApiToken(user_id=user_id, token_hash=_digest(token), expires_at=expires))
    db.session.commit()
    return token


def user_for_token(token: str) -> User | None:
    """Return the active user a valid, unexpired token belongs to."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None:
        return None
    if row.expires_at < clock.now() or not row.user.active:
        return None
    return row.user


def revoke_token(token: str) -> None:
    """Delete a token (logout of an API client)."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is not None:
        db.session.delete(row)
        db.session.commit()


def revoke_all(user_id: int) -> None:
    """Delete every token of a user (the caller commits)."""
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user_id))
