"""The reminder scan: what is due at `now`, written to the outbox once (idempotent by key).

Run every REMINDER_SECONDS beside the workers (workers/reconciler.py) and by
`flask --app review notify run-due`. Activists: a period opened, its deadline in 3 days and in
1 day while they have not submitted. Reviewers and the committee get one digest a day each,
for the day's digest moment (DIGEST_HOUR, Beijing time): the reports that became ready, that
are due within 3 days or overdue (14 days) during the 24 hours before it, and for the
committee the reviews overdue and the disagreements still open at the moment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from review import clock
from review.extensions import db
from review.i18n import format_dt
from review.models import (
    Decision,
    Period,
    Review,
    ReviewState,
    Role,
    Submission,
    SubmissionState,
    SubmissionVersion,
    User,
    Video,
)
from review.models.notification import Notification
from review.services import dashboard
from review.services.events import activist_link
from review.services.notifications import notify, notify_branch

REVIEW_DAYS = dashboard.REVIEW_DAYS  # DESIGN: the reviewer reviews within 14 days
DUE_SOON = timedelta(days=3)
DEADLINES = (("3d", timedelta(days=3)), ("1d", timedelta(days=1)))  # widest first
OPEN = (SubmissionState.SUBMITTED.value, SubmissionState.IN_REVIEW.value)
LISTED = 10  # items named in a digest; the rest are counted


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
        _reviewers(moment, result)
        _committee(moment, result)
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


def digest_moment(now: datetime) -> datetime:
    """Return the latest daily digest moment (DIGEST_HOUR:00 Beijing time) at or before now."""
    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    local = now.astimezone(tz)
    moment = datetime.combine(local.date(), time(current_app.config["DIGEST_HOUR"]), tzinfo=tz)
    return moment if moment <= local else moment - timedelta(days=1)


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
            link=None,
        )


@dataclass
class Waiting:
    """A submitted version that still needs reviews, with what the digests need of it."""

    submission: Submission
    version: SubmissionVersion
    activist: User
    reviewed_by: set[int]


def _waiting() -> list[Waiting]:
    """Return the newest submitted versions still waiting for reviews (video reviewable)."""
    latest = (
        select(func.max(SubmissionVersion.number))
        .where(SubmissionVersion.submission_id == Submission.id)
        .correlate(Submission)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Submission, SubmissionVersion, User)
        .join(SubmissionVersion, SubmissionVersion.submission_id == Submission.id)
        .join(Video, Video.id == SubmissionVersion.video_id)
        .join(User, User.id == Submission.activist_id)
        .where(
            SubmissionVersion.number == latest,
            SubmissionVersion.submitted_at.is_not(None),
            Video.reviewable.is_(True),
            Submission.state.in_(OPEN),
        )
        .order_by(SubmissionVersion.submitted_at, Submission.id)
    ).all()
    done: dict[int, set[int]] = {}
    for version_id, reviewer_id in db.session.execute(
        select(Review.version_id, Review.reviewer_id).where(
            Review.version_id.in_([v.id for _s, v, _u in rows] or [-1]),
            Review.state == ReviewState.SUBMITTED.value,
        )
    ):
        done.setdefault(version_id, set()).add(reviewer_id)
    found = []
    for sub, version, activist in rows:
        reviewed = done.get(version.id, set())
        if len(reviewed) < dashboard.required_reviews(sub.period):
            found.append(Waiting(sub, version, activist, reviewed))
    return found


def _lines(items: list[Waiting]) -> str:
    lines = [
        _(
            "· %(name)s，%(period)s，提交于 %(when)s",
            name=w.activist.name,
            period=w.submission.period.name,
            when=format_dt(w.version.submitted_at),
        )
        for w in items[:LISTED]
    ]
    if len(items) > LISTED:
        lines.append(_("……另有 %(n)d 份", n=len(items) - LISTED))
    return "\n".join(lines)


def _reviewers(moment: datetime, result: ScanResult) -> None:
    start, day = moment - timedelta(days=1), moment.date().isoformat()
    waiting = _waiting()

    def within(w: Waiting, offset: timedelta) -> bool:
        submitted = w.version.submitted_at
        return submitted is not None and start <= submitted + offset < moment

    reviewers = db.session.scalars(
        select(User).where(User.role == Role.REVIEWER.value, User.active.is_(True))
    ).all()
    kinds = (
        ("reviews_ready", timedelta(0)),
        ("review_due", timedelta(days=REVIEW_DAYS) - DUE_SOON),
        ("review_overdue", timedelta(days=REVIEW_DAYS)),
    )
    for reviewer in reviewers:
        branches = reviewer.reviewable_branch_ids()
        mine = [w for w in waiting if w.submission.branch_id in branches]
        mine = [w for w in mine if reviewer.id not in w.reviewed_by]
        for kind, offset in kinds:
            items = [w for w in mine if within(w, offset)]
            if not items:
                continue
            title, intro = _reviewer_text(kind, len(items))
            notify(
                db.session,
                recipient_id=reviewer.id,
                kind=kind,
                key=day,
                title=title,
                body=intro + "\n" + _lines(items),
                link="/reviews/?state=todo&overdue=1" if kind == "review_overdue" else "/reviews/",
            )
            result.add(kind)


def _reviewer_text(kind: str, n: int) -> tuple[str, str]:
    if kind == "reviews_ready":
        return (
            _("有 %(n)d 份新的思想汇报待审阅", n=n),
            _("您负责的支部过去一天新提交了 %(n)d 份思想汇报，可以审阅了：", n=n),
        )
    if kind == "review_due":
        return (
            _("%(n)d 份思想汇报将在 3 天内到期", n=n),
            _(
                "以下 %(n)d 份思想汇报须在提交后 %(days)d 天内审阅完，还剩不到 3 天：",
                n=n,
                days=REVIEW_DAYS,
            ),
        )
    return (
        _("%(n)d 份思想汇报已超期未审阅", n=n),
        _("以下 %(n)d 份思想汇报提交已满 %(days)d 天，仍未审阅完：", n=n, days=REVIEW_DAYS),
    )


def _committee(moment: datetime, result: ScanResult) -> None:
    periods = db.session.scalars(
        select(Period)
        .where(Period.id.in_(select(Submission.period_id).where(Submission.state.in_(OPEN))))
        .order_by(Period.opens_at)
    ).all()
    lines: list[str] = []
    overdue_total = disagreement_total = 0
    for period in periods:
        late = [
            (row.branch.name, len(row.overdue))
            for row in dashboard.overview(period.id, moment)
            if row.overdue
        ]
        if late:
            count = sum(n for _b, n in late)
            overdue_total += count
            per_branch = "、".join(_("%(b)s %(n)d 份", b=b, n=n) for b, n in late)
            lines.append(
                _(
                    "%(period)s：逾期未审阅 %(n)d 份（%(detail)s）",
                    period=period.name,
                    n=count,
                    detail=per_branch,
                )
            )
        if period.double_marking:
            open_ones = [
                d for d in dashboard.disagreements(period.id) if _undecided(d.submission.current)
            ]
            if open_ones:
                disagreement_total += len(open_ones)
                lines.append(
                    _("%(period)s：评分分歧待认定 %(n)d 份", period=period.name, n=len(open_ones))
                )
    if not lines:
        return
    committee = db.session.scalars(
        select(User.id).where(User.role == Role.COMMITTEE.value, User.active.is_(True))
    ).all()
    title = _(
        "今日汇总：逾期 %(late)d 份，分歧 %(split)d 份",
        late=overdue_total,
        split=disagreement_total,
    )
    body = "\n".join(lines)
    for user_id in committee:
        notify(
            db.session,
            recipient_id=user_id,
            kind="committee_digest",
            key=moment.date().isoformat(),
            title=title,
            body=body,
            link="/committee/",
        )
    result.add("committee_digest", len(committee))


def _undecided(version: SubmissionVersion | None) -> bool:
    if version is None:
        return False
    outcome = db.session.scalar(select(Decision.outcome).where(Decision.version_id == version.id))
    return outcome is None
