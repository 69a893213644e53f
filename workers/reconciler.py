"""A loop beside each worker: reconciles the pipeline, sends due notifications, scans reminders.

It runs in a spawned child of the worker and keeps no state in Redis, so it survives Redis
losing everything; a Redis lock keeps several worker hosts from reconciling at once. Every
REMINDER_SECONDS it runs the reminder scan (review/services/reminders.py), idempotent by key,
so two hosts scanning at once still write each reminder once. Every few seconds it also lets
RQ retry the jobs of workers that died mid-job (their heartbeat expired), and it ends as soon
as its worker is gone, so it never outlives it.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import time
from multiprocessing.process import BaseProcess

from flask import Flask

log = logging.getLogger(__name__)


def run_once(app: Flask) -> dict[str, int] | None:
    """Reconcile, expire uploads and send due notifications, unless another worker has the lock."""
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
        counts: dict[str, int] | None = None
        try:
            counts = pipeline.reconcile()
            try:
                from review.services.uploads import expire_uploads

                counts["expired_uploads"] = expire_uploads()
            except ImportError:
                pass
        except Exception:
            log.exception("reconcile failed")
            db.session.rollback()
        try:
            sent = _sweep_notifications()  # also when reconciling failed
            return None if counts is None else {**counts, **sent}
        finally:
            db.session.remove()
            if lock is not None:
                with contextlib.suppress(RedisError):
                    lock.release()


def _sweep_notifications() -> dict[str, int]:
    """Deliver the notifications whose time has come; a failure here stops nothing else."""
    from review.extensions import db
    from review.services.notifications import outbox

    try:
        return {f"notifications_{k}": v for k, v in outbox.sweep().items()}
    except Exception:
        log.exception("notification sweep failed")
        db.session.rollback()
        return {}


def remind_once(app: Flask) -> dict[str, int] | None:
    """Run the reminder scan once, unless another worker is running it."""
    from redis.exceptions import RedisError

    from review.extensions import db
    from review.services import reminders

    with app.app_context():
        try:
            lock = app.extensions["redis"].lock(
                app.config["REDIS_PREFIX"] + "remind", timeout=300, blocking=False
            )
            if not lock.acquire():
                return None
        except RedisError:
            lock = None  # the outbox's unique keys still keep each reminder single
        try:
            return reminders.run_due().counts
        except Exception:
            log.exception("reminder scan failed")
            db.session.rollback()
            return None
        finally:
            db.session.remove()
            if lock is not None:
                with contextlib.suppress(RedisError):
                    lock.release()


def sweep_abandoned(app: Flask) -> None:
    """Let RQ retry (or fail) the started jobs whose worker stopped heartbeating."""
    from redis.exceptions import RedisError
    from rq.registry import StartedJobRegistry

    with app.app_context():
        try:
            for queue in app.extensions["rq"].values():
                StartedJobRegistry(queue=queue).cleanup()
        except RedisError:
            log.warning("redis unavailable; abandoned jobs are swept later")


def _loop(interval: float, parent: int) -> None:
    from review import create_app

    app = create_app()
    sweep_every = max(1.0, min(interval, app.config["JOB_HEARTBEAT_TTL"] / 3))
    remind_every = app.config["REMINDER_SECONDS"]
    next_sweep, next_run = time.monotonic(), time.monotonic() + interval
    next_remind = time.monotonic() + min(interval, remind_every)
    while os.getppid() == parent:  # the worker died (even by SIGKILL): so do we
        moment = time.monotonic()
        if moment >= next_sweep:
            sweep_abandoned(app)
            next_sweep = moment + sweep_every
        if moment >= next_run:
            run_once(app)
            next_run = moment + interval
        if remind_every > 0 and moment >= next_remind:
            remind_once(app)
            next_remind = moment + remind_every
        time.sleep(0.5)


def start(interval: float = 60.0) -> BaseProcess:
    """Start the reconcile loop in a spawned daemon process."""
    process = multiprocessing.get_context("spawn").Process(
        target=_loop, args=(interval, os.getpid()), name="reconciler", daemon=True
    )
    process.start()
    return process
