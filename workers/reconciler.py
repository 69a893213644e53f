"""A loop beside each worker that reconciles the pipeline every minute.

It runs in a spawned child of the worker (not a thread: RQ forks work horses, and forking
with a busy thread risks deadlocks) and keeps no state in Redis, so it survives Redis
losing everything; a Redis lock keeps several worker hosts from reconciling at once.
"""

from __future__ import annotations

import logging
import multiprocessing
import time

from flask import Flask
import contextlib

log = logging.getLogger(__name__)


def run_once(app: Flask) -> dict[str, int] | None:
    """Reconcile and expire abandoned uploads once, unless another worker holds the lock."""
    from redis.exceptions import RedisError

    from review.extensions import db
    from review.services import pipeline

    with app.app_context():
        try:
            lock = app.extensions["redis"].lock(
                app.config["REDIS_PREFIX"] + "reconcile", timeout=120, blocking=False
            )
            if not lock.acquire():
                return None
        except RedisError:
            lock = None  # Redis is down: reconciling still records deadlines in the database
        try:
            counts = pipeline.reconcile()
            try:
                from review.services.uploads import expire_uploads

                counts["expired_uploads"] = expire_uploads()
            except ImportError:
                pass
            return counts
        except Exception:
            log.exception("reconcile failed")
            return None
        finally:
            db.session.remove()
            if lock is not None:
                with contextlib.suppress(RedisError):
                    lock.release()


def _loop(interval: float) -> None:
    from review import create_app

    app = create_app()
    while True:
        time.sleep(interval)
        run_once(app)


def start(interval: float = 60.0) -> multiprocessing.Process:
    """Start the reconcile loop in a spawned daemon process."""
    process = multiprocessing.get_context("spawn").Process(
        target=_loop, args=(interval,), name="reconciler", daemon=True
    )
    process.start()
    return process
