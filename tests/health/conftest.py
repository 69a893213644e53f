"""Fixtures for the health tests: a real RQ worker registration in Redis."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from rq import Worker
from rq.utils import utcformat


@pytest.fixture
def registered_worker(app):
    """Return a function that registers a worker in Redis whose heartbeat is `age` seconds old."""
    made = []

    def register(age: float = 0.0, name: str | None = None) -> Worker:
        queues = list(app.extensions["rq"].values())
        worker = Worker(queues, connection=app.extensions["redis"], name=name)
        worker.register_birth()
        beat = datetime.now(UTC) - timedelta(seconds=age)
        app.extensions["redis"].hset(worker.key, "last_heartbeat", utcformat(beat))
        made.append(worker)
        return worker

    yield register
    for worker in made:
        worker.register_death()


@pytest.fixture
def app_without_redis(database_url, tmp_path):
    """An app whose REDIS_URL points at a socket nobody listens on."""
    from review import create_app
    from review.config import TestConfig
    from review.extensions import db

    settings = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": f"unix://{tmp_path / 'nobody-listens.sock'}",
        "INSTANCE_DIR": tmp_path / "instance",
        "MEDIA_ROOT": tmp_path / "instance" / "media",
        "RATELIMIT_ENABLED": False,
    }
    app = create_app(type("Config", (TestConfig,), settings))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
