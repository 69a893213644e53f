"""The outbox: write rows once, claim a row atomically, deliver it, retry with back-off.

A row is claimed by one UPDATE … WHERE state = 'pending' (or a 'sending' row whose lease ran
out): of two deliverers running at once only one changes the row, and only that one sends.
A deliverer that dies between sending and recording leaves its lease to expire, and the row
is sent again then (the one case of a duplicate; a lost message would be worse).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app, has_app_context
from rq import Queue
from sqlalchemy import and_, event, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, scoped_session

from review.clock import now
from review.extensions import db
from review.models import Notification, NotificationState
from review.services.notifications.channels import DeliveryError, sender_for
from review.services.notifications.kinds import KINDS
from review.services.notifications.quiet import first_allowed

log = logging.getLogger(__name__)

PENDING, SENDING = NotificationState.PENDING.value, NotificationState.SENDING.value
SENT, FAILED = NotificationState.SENT.value, NotificationState.FAILED.value
DUE_KEY = "notifications_due"  # Session.info: rows to enqueue once the transaction commits
JOB = "workers.notifications.deliver_notification"


def write(session: Session | scoped_session, rows: list[dict]) -> list[int]:
    """Insert rows unless their (recipient or branch, kind, key, channel) exists; return new ids.

    The pending ones are enqueued for delivery after the caller's commit.
    """
    if not rows:
        return []
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    # The rows go as parameters, not .values(rows): the statement is then compiled once and
    # cached (a multi-VALUES statement is compiled anew on every call, ~10 ms each; the reminder
    # scan writes thousands: bench/reminder_scan.py).
    stmt = (
        insert(Notification)
        .on_conflict_do_nothing()
        .returning(Notification.id, Notification.state, Notification.next_attempt_at)
    )
    created = session.execute(stmt, rows).all()
    due = session.info.setdefault(DUE_KEY, [])
    due.extend((r.id, r.next_attempt_at) for r in created if r.state == PENDING)
    return [r.id for r in created]


@event.listens_for(Session, "after_commit")
def _enqueue_committed(session: Session | scoped_session) -> None:
    due = session.info.pop(DUE_KEY, None)
    if due and has_app_context():
        enqueue(due)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session | scoped_session) -> None:
    session.info.pop(DUE_KEY, None)


def enqueue(due: Iterable[tuple[int, datetime | None]], attempt: int = 0) -> None:
    """Enqueue a delivery job per row (at its time); a Redis outage is left to the sweep."""
    try:
        queue = current_app.extensions["rq"]["default"]
        ready = []
        for row_id, at in due:
            job_id = f"notify-{row_id}-{attempt}"
            if at is not None and at > now() + timedelta(seconds=1):
                queue.enqueue_at(at, JOB, row_id, job_id=job_id, job_timeout=120)
            else:
                ready.append(Queue.prepare_data(JOB, (row_id,), job_id=job_id, timeout=120))
        if ready:
            queue.enqueue_many(ready)  # one round trip to Redis for all of them
    except Exception:  # the event was committed; nothing else may fail on this
        log.warning("could not enqueue notifications; the sweep delivers them", exc_info=True)


def claim(row_id: int, at: datetime) -> bool:
    """Take the row for this deliverer (one commit); False when it is not due or taken."""
    lease = at + timedelta(seconds=current_app.config["NOTIFY_LEASE_SECONDS"])
    result = db.session.execute(
        update(Notification)
        .where(
            Notification.id == row_id,
            or_(
                and_(
                    Notification.state == PENDING,
                    or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= at),
                ),
                and_(Notification.state == SENDING, Notification.lease_until < at),
            ),
        )
        .values(state=SENDING, lease_until=lease, attempts=Notification.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1  # type: ignore[attr-defined]  # a CursorResult


def deliver(row_id: int, at: datetime | None = None) -> str:
    """Deliver one row at most once: "sent", "retry", "failed", "deferred" or "skipped"."""
    at = at or now()
    if not claim(row_id, at):
        return "skipped"
    row = db.session.get_one(Notification, row_id)
    kind = KINDS.get(row.kind)
    allowed = first_allowed(at, quiet=kind.quiet if kind else True)
    if allowed > at:  # a retry that fell into the quiet hours waits for the morning
        _finish(row_id, state=PENDING, next_attempt_at=allowed, attempts=row.attempts - 1)
        return "deferred"
    try:
        sender_for(row.channel)(row)
    except Exception as exc:  # noqa: BLE001  any failure is recorded on the row, never raised
        message = str(exc) if isinstance(exc, DeliveryError) else f"{type(exc).__name__}: {exc}"
        return _record_failure(row, message[-2000:], at)
    _finish(row_id, state=SENT, sent_at=now(), last_error=None, lease_until=None)
    return "sent"


def _record_failure(row: Notification, message: str, at: datetime) -> str:
    intervals = current_app.config["NOTIFY_RETRY_INTERVALS"]
    attempts = row.attempts
    if attempts > len(intervals):
        _finish(row.id, state=FAILED, last_error=message, lease_until=None)
        log.warning("notification %s failed for good: %s", row.id, message)
        return "failed"
    retry_at = at + timedelta(seconds=intervals[attempts - 1])
    _finish(row.id, state=PENDING, last_error=message, next_attempt_at=retry_at, lease_until=None)
    enqueue([(row.id, retry_at)], attempt=attempts)
    return "retry"


def _finish(row_id: int, **values: object) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.id == row_id, Notification.state == SENDING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.expire_all()


def due_ids(at: datetime, limit: int = 200) -> list[int]:
    """Return rows whose time has come: pending and due, or sending with an expired lease."""
    return list(
        db.session.scalars(
            select(Notification.id)
            .where(
                or_(
                    and_(Notification.state == PENDING, Notification.next_attempt_at <= at),
                    and_(Notification.state == SENDING, Notification.lease_until < at),
                )
            )
            .order_by(Notification.next_attempt_at)
            .limit(limit)
        )
    )


def sweep(at: datetime | None = None, budget_seconds: float = 30.0) -> dict[str, int]:
    """Deliver the due rows here and now (the reconciler calls it); return counts by outcome."""
    import time

    at = at or now()
    started, counts = time.monotonic(), dict[str, int]()
    while batch := due_ids(at):
        for row_id in batch:  # a row tried here is not due again at `at`: the loop ends
            outcome = deliver(row_id, at)
            counts[outcome] = counts.get(outcome, 0) + 1
            if time.monotonic() - started > budget_seconds:
                return counts  # the next run takes the rest
    return counts


def retry_failed(row_id: int, actor_id: int) -> Notification:
    """Put a failed row back to pending for a fresh round of attempts (audited)."""
    from flask_babel import lazy_gettext as _l

    from review.exceptions import ConflictError, NotFoundError
    from review.services import audit

    row = db.session.get(Notification, row_id)
    if row is None:
        raise NotFoundError(_l("找不到该通知。"))
    if row.state != FAILED:
        raise ConflictError(_l("该通知没有发送失败，无需重试。"))
    row.state, row.attempts, row.next_attempt_at = PENDING, 0, now()
    audit.record(actor_id, "notification_retry", "notification", row.id, commit=False)
    db.session.commit()
    enqueue([(row.id, None)], attempt=0)
    return row


def failed_rows(limit: int = 100) -> list[Notification]:
    """Return the most recent notifications that failed for good."""
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.state == FAILED)
            .order_by(Notification.id.desc())
            .limit(limit)
        )
    )
