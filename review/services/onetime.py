"""One-time passwords shown once from Redis, never through the signed session cookie.

A flash message lives in the cookie, which anyone holding it can read: an initial or reset
password instead waits in Redis (ONETIME_TTL seconds) under a random key bound to the admin
who made it, and the first page view that shows it deletes it.
"""

from __future__ import annotations

import json
import secrets

from flask import current_app

ONETIME_TTL = 600


def _key(token: str) -> str:
    return current_app.config["REDIS_PREFIX"] + "onetime:" + token


def stash(actor_id: int, **shown: str) -> str:
    """Keep what is to be shown once to actor_id; return the token for the page URL."""
    token = secrets.token_urlsafe(16)
    payload = json.dumps({"actor": actor_id, **shown}, ensure_ascii=False)
    current_app.extensions["redis"].set(_key(token), payload, ex=ONETIME_TTL)
    return token


def take(actor_id: int, token: str) -> dict[str, str] | None:
    """Return and delete what was stashed for actor_id; None if it is gone or not theirs."""
    if not token or len(token) > 64:
        return None
    redis = current_app.extensions["redis"]
    raw = redis.get(_key(token))
    if raw is None:
        return None
    shown = json.loads(raw)
    if shown.pop("actor") != actor_id:
        return None  # another admin's: neither shown nor spent
    if not redis.delete(_key(token)):
        return None  # a second tab got there first
    return shown
