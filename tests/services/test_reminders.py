"""The reminder scan, with "now" moved: each reminder once, to the right people only."""

from __future__ import annotations

from datetime import timedelta

from review.extensions import db
from review.services import reminders
from tests.services.reminder_data import activist, report, rows


def _class(people):
    """a1 and a2 of the fixtures plus three more in 一支部; a4 and a2 have submitted."""
    branch = people["activist"].branch_id
    extra = [activist(f"a{n}", branch) for n in (3, 4, 5)]
    period = people["period"]
    report(extra[1], period)
    report(people["activist_b"], period, state="needs_revision")
    report(extra[2], period, state="draft")  # a draft is not submitted
    db.session.commit()
    waiting = {people["activist"].id, extra[0].id, extra[2].id}
    return period, waiting, {extra[1].id, people["activist_b"].id}


def test_three_days_before_the_deadline_each_activist_not_submitted_gets_one_reminder(people):
    period, waiting, submitted = _class(people)
    people["activist"].branch.webhook_url = "http://127.0.0.1:9/hook"  # 一支部's group chat
    now = period.closes_at - timedelta(days=3)
    reminders.run_due(now)
    reminders.run_due(now)  # a second scan sends nothing new
    got = rows("deadline_reminder")
    assert sorted(r.recipient_id for r in got) == sorted(waiting)
    assert not {r.recipient_id for r in got} & submitted
    assert {r.key for r in got} == {f"period-{period.id}-3d"}
    first = got[0]
    assert first.title == f"{period.name}思想汇报还有 3 天截止"
    assert "您还没有提交" in first.body and "截止时间是" in first.body
    assert first.link == f"/my/periods/{period.id}/"
    # Everyone heard once that the period opened, submitted or not.
    opened = rows("period_opened")
    assert sorted(r.recipient_id for r in opened) == sorted(waiting | submitted)
    bot = rows("deadline_reminder", channel="bot")
    assert [r.branch_id for r in bot] == [people["activist"].branch_id]  # 二支部 has no bot
    assert "本支部还有 3 人没有提交" in bot[0].body  # a1, a3 and a5 (a draft)
    assert len(rows("period_opened", channel="bot")) == 1


def test_one_day_before_the_deadline_a_second_reminder_once(people):
    period, waiting, _submitted = _class(people)
    reminders.run_due(period.closes_at - timedelta(days=3))
    reminders.run_due(period.closes_at - timedelta(days=2))  # still the 3-day reminder: no new one
    assert len(rows("deadline_reminder")) == len(waiting)
    for _ in range(2):
        reminders.run_due(period.closes_at - timedelta(hours=20))
    late = rows("deadline_reminder", key=f"period-{period.id}-1d")
    assert sorted(r.recipient_id for r in late) == sorted(waiting)
    assert late[0].title == f"{period.name}思想汇报还有 1 天截止"


def test_no_reminder_long_before_the_deadline_nor_after_it(people):
    period, _waiting, _submitted = _class(people)
    reminders.run_due(period.closes_at - timedelta(days=5))
    reminders.run_due(period.closes_at + timedelta(minutes=1))
    assert rows("deadline_reminder") == []


def test_a_period_not_yet_open_is_not_announced(people):
    period = people["period"]
    reminders.run_due(period.opens_at - timedelta(minutes=1))
    assert rows("period_opened") == []
    reminders.run_due(period.opens_at + timedelta(minutes=1))
    assert len(rows("period_opened")) == 2  # a1 and a2
