"""Health of the services the product needs: database, Redis, disk and the workers' heartbeats."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from review import clock, storage
from review.extensions import db


@dataclass
class WorkerBeat:
    """One RQ worker registration and how fresh its heartbeat is."""

    name: str
    hostname: str
    pid: int | None
    state: str
    queues: list[str]
    current_job: str | None
    last_heartbeat: datetime | None
    age: float  # seconds since the last heartbeat
    alive: bool


def stale_after() -> float:
    """Seconds after which a worker that did not heartbeat counts as dead.

    An idle worker heartbeats every WORKER_TTL - 15 s (RQ's dequeue timeout), a busy one every
    JOB_HEARTBEAT_TTL / 3 s (workers.worker); the margin absorbs a loaded machine.
    """
    cfg = current_app.config
    return float(max(cfg["WORKER_TTL"], cfg["JOB_HEARTBEAT_TTL"]) + 15)


def worker_heartbeats(at: datetime | None = None) -> list[WorkerBeat]:
    """Return every worker registered in Redis, newest heartbeat first.

    Raises:
        RedisError: Redis did not answer.
    """
    from rq import Worker

    at = at or clock.now()
    limit = stale_after()
    beats = []
    for worker in Worker.all(connection=current_app.extensions["redis"]):
        seen = worker.last_heartbeat or worker.birth_date
        age = (at - seen).total_seconds() if seen else float("inf")
        beats.append(
            WorkerBeat(
                name=worker.name,
                hostname=worker.hostname or "",
                pid=worker.pid,
                state=str(worker.get_state()),
                queues=worker.queue_names(),
                current_job=worker.get_current_job_id(),
                last_heartbeat=seen,
                age=max(age, 0.0),
                alive=age <= limit,
            )
        )
    return sorted(beats, key=lambda b: b.age)


def check() -> tuple[bool, dict]:
    """Check each dependency once; return whether all are fine and the details as JSON data."""
    report: dict[str, dict] = {}
    try:
        db.session.execute(text("SELECT 1"))
        report["database"] = {"ok": True}
    except SQLAlchemyError as exc:
        db.session.rollback()
        report["database"] = {"ok": False, "error": type(exc).__name__}
    try:
        current_app.extensions["redis"].ping()
        report["redis"] = {"ok": True}
        beats = worker_heartbeats()
        alive = [b for b in beats if b.alive]
        report["workers"] = {
            "ok": bool(alive),
            "alive": len(alive),
            "registered": len(beats),
            "newest_heartbeat_age_s": round(beats[0].age, 1) if beats else None,
        }
    except RedisError as exc:
        report["redis"] = {"ok": False, "error": type(exc).__name__}
        report["workers"] = {"ok": False, "error": "redis unavailable"}
    try:
        free = storage.free_bytes()
        minimum = current_app.config["HEALTH_MIN_FREE_BYTES"]
        report["disk"] = {"ok": free >= minimum, "free_bytes": free, "min_free_bytes": minimum}
    except OSError as exc:
        report["disk"] = {"ok": False, "error": type(exc).__name__}
    return all(part["ok"] for part in report.values()), report
