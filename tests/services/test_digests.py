"""Daily digests: one message per reviewer per day however many reports, and the committee's."""

from __future__ import annotations

from datetime import timedelta

from review.extensions import db
from review.services import reminders
from tests.services.reminder_data import activist, report, rows


def test_twenty_new_reports_make_one_message_for_the_reviewer(people):
    period, branch = people["period"], people["activist"].branch_id
    now = period.opens_at + timedelta(days=5)
    moment = reminders.digest_moment(now)
    ago = lambda **kw: moment - timedelta(**kw)  # noqa: E731
    for n in range(20):
        report(activist(f"n{n:02d}", branch, f"学员{n:02d}"), period, submitted_at=ago(hours=n + 1))
    report(activist("old", branch), period, submitted_at=ago(days=2))  # not new
    report(activist("wait", branch), period, submitted_at=ago(hours=2), reviewable=False)
    db.session.commit()
    reminders.run_due(now)
    reminders.run_due(now + timedelta(minutes=30))  # the same day: nothing new
    got = rows("reviews_ready")
    assert [r.recipient_id for r in got] == [people["reviewer"].id]  # r2 reviews 二支部: nothing
    digest = got[0]
    assert digest.key == moment.date().isoformat()
    assert digest.title == "有 20 份新的思想汇报待审阅"
    assert "学员19" in digest.body and "学员00" not in digest.body and "……另有 10 份" in digest.body
    assert digest.link == "/reviews/"
    reminders.run_due(now + timedelta(days=1))  # the next day: nothing new was submitted
    assert len(rows("reviews_ready")) == 1


def test_review_due_in_three_days_and_overdue_at_fourteen(people):
    period, branch = people["period"], people["activist"].branch_id
    now = period.opens_at + timedelta(days=20)
    moment = reminders.digest_moment(now)
    ago = lambda **kw: moment - timedelta(**kw)  # noqa: E731
    report(activist("due", branch, "快到期"), period, submitted_at=ago(days=11, hours=3))
    report(activist("late", branch, "已超期"), period, submitted_at=ago(days=14, hours=3))
    report(activist("fine", branch, "还早"), period, submitted_at=ago(days=5))
    db.session.commit()
    for _ in range(2):
        reminders.run_due(now)
    due, late = rows("review_due"), rows("review_overdue")
    assert [r.recipient_id for r in due] == [people["reviewer"].id]
    assert "快到期" in due[0].body and "已超期" not in due[0].body and "还早" not in due[0].body
    assert due[0].title == "1 份思想汇报将在 3 天内到期"
    assert [r.recipient_id for r in late] == [people["reviewer"].id]
    assert "已超期" in late[0].body and late[0].title == "1 份思想汇报已超期未审阅"
    digest = rows("committee_digest")
    assert [r.recipient_id for r in digest] == [people["committee"].id]
    assert digest[0].title == "今日汇总：逾期 1 份，分歧 0 份"
    assert "逾期未审阅 1 份（一支部 1 份）" in digest[0].body
    assert digest[0].link == "/committee/"


def test_no_digest_when_nothing_is_new(people):
    reminders.run_due(people["period"].opens_at + timedelta(days=2))
    for kind in ("reviews_ready", "review_due", "review_overdue", "committee_digest"):
        assert rows(kind) == [], kind
