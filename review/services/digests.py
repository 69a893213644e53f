"""The daily digests: one message per reviewer and kind, and one for the committee, per day.

The day ends at its digest moment (DIGEST_HOUR:00, Beijing time). A reviewer hears of the
reports of their branches that were submitted (and are reviewable), reached 3 days before their
14-day review deadline, or passed it, during the 24 hours before the moment; the committee of
the reviews overdue and the disagreements still open at the moment. The key is the date, so a
digest is written once however often the scan runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

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
from review.services import dashboard
from review.services.notifications import notify

REVIEW_DAYS = dashboard.REVIEW_DAYS  # DESIGN: the reviewer reviews within 14 days
DUE_SOON = timedelta(days=3)
OPEN = (SubmissionState.SUBMITTED.value, SubmissionState.IN_REVIEW.value)
LISTED = 10  # items named in a digest; the rest are counted


def digest_moment(now: datetime) -> datetime:
    """Return the latest daily digest moment (DIGEST_HOUR:00 Beijing time) at or before now."""
    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    local = now.astimezone(tz)
    moment = datetime.combine(local.date(), time(current_app.config["DIGEST_HOUR"]), tzinfo=tz)
    return moment if moment <= local else moment - timedelta(days=1)


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


def reviewer_digests(moment: datetime) -> dict[str, int]:
    """Write each reviewer's digests of the day ending at moment; return the count per kind."""
    counts: dict[str, int] = {}
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
            counts[kind] = counts.get(kind, 0) + 1
    return counts


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


def committee_digest(moment: datetime) -> dict[str, int]:
    """Write the committee's digest of overdue reviews and open disagreements at moment."""
    periods = db.session.scalars(
        select(Period)
        .where(Period.id.in_(select(Submission.period_id).where(Submission.state.in_(OPEN))))
        .order_by(Period.opens_at)
    ).all()
    lines: list[str] = []
    overdue_total = disagreement_total = 0
    for period in periods:
        late = [
            (row.branch.name, row.overdue_count)
            for row in dashboard.overview(period.id, moment)
            if row.overdue_count
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
        return {}
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
    return {"committee_digest": len(committee)}


def _undecided(version: SubmissionVersion | None) -> bool:
    if version is None:
        return False
    outcome = db.session.scalar(select(Decision.outcome).where(Decision.version_id == version.id))
    return outcome is None
