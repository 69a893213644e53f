"""The reminder scan: what is due at `now`, written to the outbox once (idempotent by key).

Run every REMINDER_SECONDS beside the workers (workers/reconciler.py) and by
`flask --app review notify run-due`. Activists: a period opened, its deadline in 3 days and in
1 day while they have not submitted (and their branch's bot: how many have not). Reviewers and
the committee: the daily digests of review/services/digests.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from review import clock
from review.extensions import db
from review.i18n import format_dt
from review.models import Period, Role, Submission, SubmissionState, User
from review.models.notification import Notification
from review.services.digests import committee_digest, digest_moment, reviewer_digests
from review.services.events import activist_link
from review.services.notifications import notify, notify_branch

DEADLINES = (("3d", timedelta(days=3)), ("1d", timedelta(days=1)))  # widest first


@dataclass
class ScanResult:
    """How many reminders each kind was due for, and how many outbox rows the scan wrote."""

    counts: dict[str, int] = field(default_factory=dict)
    written: int = 0

    def add(self, kind: str, n: int = 1) -> None:
        """Count n calls for kind."""
        self.counts[kind] = self.counts.get(kind, 0) + n


def run_due(now: datetime | None = None) -> ScanResult:
    """Write every reminder due at now to the outbox and commit."""
    now = now or clock.now()
    result, before = ScanResult(), _outbox_size()
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        for period in db.session.scalars(
            select(Period).where(Period.opens_at <= now, Period.closes_at >= now)
        ):
            _activists(period, now, result)
        moment = digest_moment(now)
        for kind, n in {**reviewer_digests(moment), **committee_digest(moment)}.items():
            result.add(kind, n)
    result.written = _outbox_size() - before
    db.session.commit()
    return result


def _outbox_size() -> int:
    return db.session.scalar(select(func.count()).select_from(Notification)) or 0


def _already(kind: str, key: str) -> set[int]:
    """Return who already has kind/key in the outbox (notify() would write nothing for them)."""
    stmt = select(Notification.recipient_id).where(
        Notification.kind == kind, Notification.key == key, Notification.recipient_id.is_not(None)
    )
    return set(db.session.scalars(stmt.distinct()))


def _activists(period: Period, now: datetime, result: ScanResult) -> None:
    people = list(
        db.session.scalars(
            select(User)
            .where(
                User.role == Role.ACTIVIST.value,
                User.active.is_(True),
                User.branch_id.is_not(None),
            )
            .order_by(User.id)
        )
    )
    submitted = set(
        db.session.scalars(
            select(Submission.activist_id).where(
                Submission.period_id == period.id,
                Submission.state != SubmissionState.DRAFT.value,
            )
        )
    )
    link, closes = activist_link(period.id), format_dt(period.closes_at)
    announced = _already("period_opened", f"period-{period.id}")
    fresh = [u for u in people if u.id not in announced]
    for user in fresh:
        notify(
            db.session,
            recipient_id=user.id,
            kind="period_opened",
            key=f"period-{period.id}",
            title=_("%(period)s思想汇报开始提交", period=period.name),
            body=_(
                "%(period)s的视频思想汇报现在可以提交了，截止时间是 %(when)s。"
                "请录制视频、填写书面汇报后提交。",
                period=period.name,
                when=closes,
            ),
            link=link,
        )
    result.add("period_opened", len(fresh))
    for branch_id in sorted({u.branch_id for u in people if u.branch_id}):
        notify_branch(  # the branch's group chat: once per period (the outbox's unique key)
            db.session,
            branch_id=branch_id,
            kind="period_opened",
            key=f"period-{period.id}",
            title=_("%(period)s思想汇报开始提交", period=period.name),
            body=_(
                "%(period)s的视频思想汇报现在可以提交了，截止时间是 %(when)s。"
                "请各位入党积极分子按时提交。",
                period=period.name,
                when=closes,
            ),
            link=link,
        )
    left = period.closes_at - now
    due = next((name for name, before in reversed(DEADLINES) if left <= before), None)
    if due is None:
        return
    waiting = [u for u in people if u.id not in submitted]
    reminded = _already("deadline_reminder", f"period-{period.id}-{due}")
    days = 3 if due == "3d" else 1
    for user in (u for u in waiting if u.id not in reminded):
        notify(
            db.session,
            recipient_id=user.id,
            kind="deadline_reminder",
            key=f"period-{period.id}-{due}",
            title=_("%(period)s思想汇报还有 %(n)d 天截止", period=period.name, n=days),
            body=_(
                "您还没有提交%(period)s的思想汇报，截止时间是 %(when)s。"
                "视频上传后需要几分钟处理，请尽早提交。",
                period=period.name,
                when=closes,
            ),
            link=link,
        )
    result.add("deadline_reminder", len([u for u in waiting if u.id not in reminded]))
    by_branch: dict[int, int] = {}
    for user in waiting:
        by_branch[user.branch_id or 0] = by_branch.get(user.branch_id or 0, 0) + 1
    for branch_id, count in sorted(by_branch.items()):
        notify_branch(
            db.session,
            branch_id=branch_id,
            kind="deadline_reminder",
            key=f"period-{period.id}-{due}",
            title=_("%(period)s思想汇报还有 %(n)d 天截止", period=period.name, n=days),
            body=_(
                "本支部还有 %(count)d 人没有提交%(period)s的思想汇报，截止时间是 %(when)s。",
                count=count,
                period=period.name,
                when=closes,
            ),
            link=link,
        )
