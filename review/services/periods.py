"""Periods and rubrics: open a period with the default rubric, freeze rubric versions."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from review import clock
from review.exceptions import NotFoundError, ValidationError
from review.extensions import db
from review.models import Criterion, Period, Rubric, RubricVersion
from review.services import audit
from review.services.feedback import check_mode
from review.services.rubrics import default_bands

DEFAULT_CRITERIA = (
    ("入党动机", ["动机端正，表述具体真诚", "动机基本端正", "动机模糊或表述空泛"]),
    ("对党的认识", ["认识深刻，能联系实际", "认识基本正确", "认识浅显或有偏差"]),
    ("学习情况", ["系统学习党的理论并有体会", "有一定学习", "学习情况不明"]),
    ("参加活动的心得体会", ["积极参加并有真切体会", "参加活动但体会一般", "很少参加或无体会"]),
    ("入党誓词", ["完整、准确、庄重", "基本完整", "缺漏较多或未宣读"]),
)


def default_rubric(max_points: int | None = None) -> RubricVersion:
    """Create the default five-criterion rubric (version 1)."""
    points = max_points or current_app.config["RUBRIC_MAX_POINTS"]
    rubric = Rubric(name="思想汇报评分标准")
    version = RubricVersion(rubric=rubric, number=1)
    for position, (title, descriptors) in enumerate(DEFAULT_CRITERIA, start=1):
        version.criteria.append(
            Criterion(
                position=position,
                title=title,
                max_points=points,
                descriptors=descriptors,
                bands=default_bands(points, len(descriptors)),
            )
        )
    db.session.add(rubric)
    return version


def _local_dt(value: date | datetime, end_of_day: bool) -> datetime:
    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    moment = time(23, 59, 59) if end_of_day else time(0, 0)
    return datetime.combine(value, moment, tzinfo=tz)


def open_period(
    name: str,
    opens: date | datetime,
    closes: date | datetime,
    *,
    oath_required: bool = True,
    double_marking: bool = False,
    max_points: int | None = None,
) -> Period:
    """Create a period with a fresh copy of the default rubric."""
    name = name.strip()
    if not name:
        raise ValidationError(_l("周期名称不能为空。"))
    opens_at, closes_at = _local_dt(opens, False), _local_dt(closes, True)
    if closes_at <= opens_at:
        raise ValidationError(_l("截止时间必须晚于开始时间。"))
    period = Period(
        name=name,
        opens_at=opens_at,
        closes_at=closes_at,
        oath_required=oath_required,
        double_marking=double_marking,
        rubric_version=default_rubric(max_points),
    )
    db.session.add(period)
    db.session.commit()
    return period


def open_periods(now: datetime | None = None) -> list[Period]:
    """Return the periods open now, soonest deadline first."""
    now = now or clock.now()
    stmt = select(Period).where(Period.opens_at <= now, Period.closes_at >= now)
    return list(db.session.scalars(stmt.order_by(Period.closes_at)))


def update_committee_settings(
    period_id: int,
    actor_id: int,
    *,
    feedback_mode: str,
    disagreement_percent: float | None,
    pass_min: float | None,
    revise_min: float | None,
) -> Period:
    """Save the committee's settings of a period: what activists see, thresholds; audited.

    Raises:
        NotFoundError: no such period. ValidationError: an unknown mode or a threshold out of
        range (disagreement 1–100 %, 0 <= 需修改 <= 通过 <= the maximum total).
    """
    period = db.session.get(Period, period_id)
    if period is None:
        raise NotFoundError(_l("找不到该汇报周期。"))
    check_mode(feedback_mode)
    top = period.rubric_version.max_total
    if disagreement_percent is not None and not 1 <= disagreement_percent <= 100:
        raise ValidationError(_l("分歧阈值须在 1% 到 100% 之间。"))
    for value in (pass_min, revise_min):
        if value is not None and not 0 <= value <= top:
            raise ValidationError(_l("建议结论的分数线须在 0 到 %(max)d 分之间。", max=top))
    if pass_min is not None and revise_min is not None and revise_min > pass_min:
        raise ValidationError(_l("“需修改”的分数线不能高于“通过”的分数线。"))
    before = {
        "feedback_mode": period.feedback_mode,
        "disagreement_threshold": period.disagreement_threshold,
        "pass_min": period.pass_min,
        "revise_min": period.revise_min,
    }
    period.feedback_mode = feedback_mode
    period.disagreement_threshold = (
        None if disagreement_percent is None else disagreement_percent / 100
    )
    period.pass_min, period.revise_min = pass_min, revise_min
    audit.record(
        actor_id,
        "period_settings",
        "period",
        period.id,
        {
            "before": before,
            "after": {
                "feedback_mode": feedback_mode,
                "disagreement_threshold": period.disagreement_threshold,
                "pass_min": pass_min,
                "revise_min": revise_min,
            },
        },
        commit=False,
    )
    db.session.commit()
    return period
