"""Redis connection and the named RQ queues, kept on the app."""

from __future__ import annotations

from flask import Flask, current_app
from redis import Redis
from rq import Queue

from review.embedded import ensure_redis

QUEUE_NAMES = ("media", "asr", "default")


def resolve_redis_url(app: Flask) -> str:
    """Return REDIS_URL, starting the embedded server when none is configured."""
    url = app.config.get("REDIS_URL")
    if not url:
        url = ensure_redis(app.config["INSTANCE_DIR"] / "redis")
        app.config["REDIS_URL"] = url
    return url


def init_app(app: Flask) -> None:
    """Create the Redis connection and queues and store them in app.extensions."""
    url = resolve_redis_url(app)
    connection = Redis.from_url(url)
    queues = {name: Queue(name, connection=connection) for name in QUEUE_NAMES}
    app.extensions["redis"] = connection
    app.extensions["rq"] = queues


def get_redis() -> Redis:
    """Return the app's Redis connection."""
    return current_app.extensions["redis"]
