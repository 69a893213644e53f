"""The outbox API (notify, notify_branch): rows per channel, once per event, in the caller's
transaction; preferences and quiet hours decide the channels and the time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from review.extensions import db
from review.models import Notification
from review.services.notifications import notify, notify_branch, outbox, prefs
from review.services.notifications.kinds import KINDS, get_kind
from review.services.notifications.quiet import quiet_until

CONTRACT_KINDS = {
    "period_opened",
    "deadline_reminder",
    "video_failed",
    "result_released",
    "revision_requested",
    "reviews_ready",
    "review_due",
    "review_overdue",
    "committee_digest",
    "password_changed",
    "password_reset",
}


def rows(**where) -> list[Notification]:
    stmt = select(Notification).order_by(Notification.channel)
    for name, value in where.items():
        stmt = stmt.where(getattr(Notification, name) == value)
    return list(db.session.scalars(stmt))


def _notify(user, kind="result_released", key="s1", **extra) -> None:
    notify(
        db.session,
        recipient_id=user.id,
        kind=kind,
        key=key,
        title="审阅结果已发布",
        body="您的2026年第四季度思想汇报审阅结果：通过。",
        link="/my/periods/1",
        **extra,
    )


def test_every_contract_kind_is_registered():
    assert set(KINDS) >= CONTRACT_KINDS
    assert get_kind("password_reset").forced and not get_kind("password_reset").quiet
    with pytest.raises(KeyError, match="register it"):
        get_kind("no_such_kind")


def test_in_app_only_without_email(app, people):
    _notify(people["activist"])
    db.session.commit()
    (row,) = rows(recipient_id=people["activist"].id)
    assert (row.channel, row.state, row.kind, row.key) == ("inapp", "sent", "result_released", "s1")
    assert row.sent_at is not None and row.read_at is None


def test_email_row_when_address_and_server(app, people):
    app.config["SMTP_URL"] = "smtp://127.0.0.1:1"
    people["activist"].email = "liming@example.com"
    _notify(people["activist"])
    db.session.commit()
    got = {(r.channel, r.state) for r in rows(recipient_id=people["activist"].id)}
    assert got == {("inapp", "sent"), ("email", "pending")}


def test_same_event_twice_writes_nothing_more(app, people):
    app.config["SMTP_URL"] = "smtp://127.0.0.1:1"
    people["activist"].email = "liming@example.com"
    _notify(people["activist"])
    _notify(people["activist"])  # in the same transaction
    db.session.commit()
    _notify(people["activist"])  # and in a later one
    db.session.commit()
    assert len(rows(recipient_id=people["activist"].id)) == 2
    _notify(people["activist"], key="s2")
    db.session.commit()
    assert len(rows(recipient_id=people["activist"].id)) == 4


def test_rows_belong_to_the_callers_transaction(app, people):
    _notify(people["activist"])
    db.session.rollback()
    assert rows() == []


def test_preferences_turn_email_on_and_off(app, people):
    app.config["SMTP_URL"] = "smtp://127.0.0.1:1"
    user = people["activist"]
    user.email = "liming@example.com"
    db.session.commit()
    prefs.save_preferences(user.id, {("deadline_reminder", "email")})  # off for results
    _notify(user, kind="result_released")
    _notify(user, kind="deadline_reminder", key="d3")
    db.session.commit()
    got = {(r.kind, r.channel) for r in rows(recipient_id=user.id)}
    assert got == {
        ("result_released", "inapp"),
        ("deadline_reminder", "inapp"),
        ("deadline_reminder", "email"),
    }
    shown = dict((k.name, on) for k, on in prefs.preferences(user))
    assert shown["deadline_reminder"] == {"inapp": True, "email": True}
    assert shown["result_released"] == {"inapp": True, "email": False}
    assert "password_reset" not in shown and "reviews_ready" not in shown


def test_password_reset_is_email_only_and_ignores_preferences(app, people):
    app.config["SMTP_URL"] = "smtp://127.0.0.1:1"
    user = people["reviewer"]
    user.email = "wang@example.com"
    _notify(user, kind="password_reset", key="t1")
    db.session.commit()
    assert [(r.channel, r.state) for r in rows(recipient_id=user.id)] == [("email", "pending")]


def test_inactive_user_gets_nothing(app, people):
    people["activist"].active = False
    _notify(people["activist"])
    db.session.commit()
    assert rows() == []


def test_branch_bot_only_with_a_webhook(app, people):
    branch = people["activist"].branch
    args = {"kind": "reviews_ready", "key": "2026-12-02", "title": "待审阅", "body": "3 份"}
    notify_branch(db.session, branch_id=branch.id, **args)
    db.session.commit()
    assert rows() == []
    branch.webhook_url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x"
    notify_branch(db.session, branch_id=branch.id, **args)
    notify_branch(db.session, branch_id=branch.id, **args)
    db.session.commit()
    (row,) = rows()
    assert (row.branch_id, row.recipient_id, row.channel, row.state) == (
        branch.id,
        None,
        "bot",
        "pending",
    )


BEIJING = [  # (UTC time, end of quiet hours in UTC or None)
    (datetime(2026, 12, 2, 13, 59, tzinfo=UTC), None),  # 21:59 Beijing
    (datetime(2026, 12, 2, 14, 0, tzinfo=UTC), datetime(2026, 12, 2, 23, 30, tzinfo=UTC)),
    (datetime(2026, 12, 2, 17, 0, tzinfo=UTC), datetime(2026, 12, 2, 23, 30, tzinfo=UTC)),  # 1:00
    (datetime(2026, 12, 2, 23, 29, tzinfo=UTC), datetime(2026, 12, 2, 23, 30, tzinfo=UTC)),
    (datetime(2026, 12, 2, 23, 30, tzinfo=UTC), None),  # 07:30 Beijing
    (datetime(2026, 12, 3, 4, 0, tzinfo=UTC), None),  # noon
]


@pytest.mark.parametrize(("at", "until"), BEIJING, ids=[str(a) for a, _u in BEIJING])
def test_quiet_hours_in_beijing_time(app, at, until):
    assert quiet_until(at) == until


def test_email_written_at_night_waits_for_morning(app, people, monkeypatch):
    from review import clock

    night = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # 23:00 Beijing
    monkeypatch.setattr(clock, "now", lambda: night)
    monkeypatch.setattr("review.services.notifications.now", lambda: night)
    app.config["SMTP_URL"] = "smtp://127.0.0.1:1"
    people["activist"].email = "liming@example.com"
    _notify(people["activist"])
    _notify(people["activist"], kind="password_reset", key="t")
    db.session.commit()
    by = {(r.kind, r.channel): r for r in rows()}
    assert by[("result_released", "inapp")].state == "sent"  # in-app is immediate
    assert by[("result_released", "email")].next_attempt_at == datetime(
        2026, 12, 2, 23, 30, tzinfo=UTC
    )
    assert by[("password_reset", "email")].next_attempt_at == night  # never delayed
    assert outbox.due_ids(night) == [by[("password_reset", "email")].id]
