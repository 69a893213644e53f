"""Notifications: the outbox API the events call (notify, notify_branch) and its delivery.

Each event writes its rows in the caller's transaction (one per channel the recipient wants);
after the commit a delivery job is enqueued per row, and the reconciler's sweep delivers
whatever is still due. docs/notifications.md describes the whole.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, scoped_session

from review.clock import now
from review.models import Branch, Channel, Notification, NotificationState, User
from review.services.notifications import outbox, prefs
from review.services.notifications.kinds import INAPP, KINDS, get_kind
from review.services.notifications.quiet import first_allowed

__all__ = ["KINDS", "email_configured", "notify", "notify_branch", "retract"]


def email_configured() -> bool:
    """Tell whether an SMTP server is configured (SMTP_URL); without one no email row is written."""
    return bool(current_app.config.get("SMTP_URL"))


def notify(
    session: Session | scoped_session,
    *,
    recipient_id: int,
    kind: str,
    key: str,
    title: str,
    body: str,
    link: str | None = None,
) -> None:
    """Write the outbox rows for one event, in the caller's transaction (no commit).

    One row per channel the recipient wants for `kind` (their preferences, else the kind's
    defaults); idempotent: a second call with the same (recipient_id, kind, key) writes
    nothing (unique constraint on recipient_id, kind, key, channel). Delivery is enqueued after
    the commit, and a periodic sweep delivers whatever is still pending.
    """
    spec = get_kind(kind)
    user = session.get(User, recipient_id)
    if user is None or not user.active:
        return
    at = now()
    rows = []
    mail = bool(user.email) and email_configured()
    # Without an address (or a mail server) only the in-app row can go: no preference to read.
    wanted = prefs.channels_for(session, user, spec) if mail or spec.forced else {INAPP}
    for channel in sorted(wanted):
        if channel == Channel.EMAIL.value and not mail:
            continue  # no address, or no mail server: the in-app row still tells them
        rows.append(
            _row(
                channel,
                spec.quiet,
                at,
                recipient_id=user.id,
                branch_id=None,
                kind=kind,
                key=key,
                title=title,
                body=body,
                link=link,
            )
        )
    outbox.write(session, rows)


def retract(
    session: Session | scoped_session, *, recipient_id: int, kinds: tuple[str, ...], key: str
) -> int:
    """Take back an event's rows that have not reached their reader (no commit); return how many.

    Rows still pending on any channel, and in-app rows not read yet, are deleted: the event
    was undone (a release withdrawn), and a repeat of it (released again) writes fresh rows.
    An email or robot message already sent cannot be taken back and stays on record.
    """
    rows = session.scalars(
        select(Notification).where(
            Notification.recipient_id == recipient_id,
            Notification.kind.in_(kinds),
            Notification.key == key,
            or_(
                Notification.state == NotificationState.PENDING.value,
                (Notification.channel == Channel.INAPP.value) & Notification.read_at.is_(None),
            ),
        )
    ).all()
    for row in rows:
        session.delete(row)
    return len(rows)


def notify_branch(
    session: Session | scoped_session,
    *,
    branch_id: int,
    kind: str,
    key: str,
    title: str,
    body: str,
    link: str | None = None,
) -> None:
    """Same, for the branch's group-chat bot (if the branch has a webhook configured)."""
    spec = get_kind(kind)
    branch = session.get(Branch, branch_id)
    if branch is None or not branch.webhook_url:
        return
    row = _row(
        Channel.BOT.value,
        spec.quiet,
        now(),
        recipient_id=None,
        branch_id=branch.id,
        kind=kind,
        key=key,
        title=title,
        body=body,
        link=link,
    )
    outbox.write(session, [row])


def _row(channel: str, quiet: bool, at, **fields: object) -> dict:  # noqa: ANN001
    inapp = channel == Channel.INAPP.value
    return {
        **fields,
        "channel": channel,
        "title": str(fields["title"])[:200],
        "body": str(fields["body"]),
        "state": (NotificationState.SENT if inapp else NotificationState.PENDING).value,
        "attempts": 0,
        "created_at": at,
        "sent_at": at if inapp else None,
        "next_attempt_at": None if inapp else first_allowed(at, quiet=quiet),
    }
