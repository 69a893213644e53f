"""The rubric editor's service: edit in place, or make a new version once a rubric is used."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from review.exceptions import NotFoundError, ValidationError
from review.extensions import db
from review.models import Criterion, Period, Review, RubricVersion
from review.services import audit


@dataclass
class CriterionInput:
    """One criterion as the editor submits it."""

    title: str
    max_points: int
    descriptors: list[str] = field(default_factory=list)


def is_in_use(version: RubricVersion) -> bool:
    """Tell whether a rubric version is frozen or referenced by any review."""
    if version.frozen:
        return True
    return bool(db.session.scalar(select(exists().where(Review.rubric_version_id == version.id))))


def validate(criteria: list[CriterionInput]) -> None:
    """Refuse an empty rubric, blank titles, duplicate titles and bad maximum points."""
    if not criteria:
        raise ValidationError(_l("评分标准至少需要一个评分项。"))
    seen = set()
    for n, c in enumerate(criteria, start=1):
        if not c.title.strip():
            raise ValidationError(_l("第 %(n)d 个评分项没有名称。", n=n))
        if c.title.strip() in seen:
            raise ValidationError(_l("评分项“%(t)s”重复了。", t=c.title.strip()))
        seen.add(c.title.strip())
        if not 1 <= c.max_points <= 100:
            raise ValidationError(_l("“%(t)s”的满分须在 1 到 100 之间。", t=c.title.strip()))


def save_rubric(
    period_id: int, criteria: list[CriterionInput], actor_id: int | None = None
) -> RubricVersion:
    """Save the period's rubric; a rubric already used gets a new version instead.

    Returns the version the period now uses.
    """
    period = db.session.get(Period, period_id)
    if period is None:
        raise NotFoundError(_l("找不到该汇报周期。"))
    validate(criteria)
    version = period.rubric_version
    if is_in_use(version):
        number = max(v.number for v in version.rubric.versions) + 1
        version = RubricVersion(rubric=version.rubric, number=number)
        db.session.add(version)
        period.rubric_version = version
        current: list[Criterion] = []
    else:
        current = list(version.criteria)
    for position, item in enumerate(criteria, start=1):
        if position <= len(current):
            crit = current[position - 1]
        else:
            crit = Criterion(position=position)
            version.criteria.append(crit)
        crit.title, crit.max_points = item.title.strip(), item.max_points
        crit.descriptors = [d.strip() for d in item.descriptors if d.strip()]
    for extra in current[len(criteria) :]:
        version.criteria.remove(extra)
        db.session.delete(extra)
    db.session.flush()
    audit.record(
        actor_id,
        "edit_rubric",
        "period",
        period.id,
        {"rubric_version_id": version.id, "number": version.number},
        commit=False,
    )
    db.session.commit()
    return version
