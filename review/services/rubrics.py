"""The rubric editor's service: edit in place, or make a new version once a rubric is used.

A level descriptor may start with its point band, as the editor writes it: "17–20 动机端正，
表述具体真诚". The band is stored beside the text (Criterion.bands) and shown on the review
page as a button that fills the band's top score.
"""

from __future__ import annotations

import re
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


BAND_LINE = re.compile(r"^(\d+(?:\.\d+)?)\s*[-–—~～至到]\s*(\d+(?:\.\d+)?)\s*分?[\s:：、,，]*(.*)$")


def parse_level(line: str) -> tuple[str, list[float] | None]:
    """Split "17–20 text" into ("text", [17, 20]); a line without a band keeps None."""
    line = line.strip()
    m = BAND_LINE.match(line)
    if m is None:
        return line, None
    low, high = (_number(m.group(1)), _number(m.group(2)))
    return m.group(3).strip(), [low, high]


def _number(text: str) -> float:
    value = float(text)
    return int(value) if value.is_integer() else value


def format_level(text: str, band: list | None) -> str:
    """Return a level as the editor writes it: "17–20 text", or the text alone."""
    if not band:
        return text
    return f"{band[0]:g}–{band[1]:g} {text}"


def default_bands(max_points: int, levels: int = 3) -> list[list[int]]:
    """Return default bands, high to low: 85–100 %, 60–84 %, under 60 % (20: 17–20/12–16/0–11)."""
    top, mid = int(max_points * 0.85 + 0.5), int(max_points * 0.6 + 0.5)
    bands = [[top, max_points], [mid, top - 1], [0, mid - 1]]
    return bands[:levels]


def _check_bands(title: str, max_points: int, lines: list[str]) -> None:
    taken: list[list[float]] = []
    for line in lines:
        text, band = parse_level(line)
        if band is None:
            continue
        low, high = band
        if not text:
            raise ValidationError(_l("“%(t)s”的分数段 %(b)s 缺少等级描述。", t=title, b=line))
        if low > high or high > max_points:
            raise ValidationError(
                _l(
                    "“%(t)s”的分数段“%(b)s”不对：应在 0 到 %(m)d 分之间，且从低分写到高分。",
                    t=title,
                    b=line,
                    m=max_points,
                )
            )
        if any(low <= h and o <= high for o, h in taken):
            raise ValidationError(_l("“%(t)s”的分数段“%(b)s”与其他分数段重叠。", t=title, b=line))
        taken.append(band)


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
        _check_bands(c.title.strip(), c.max_points, [d for d in c.descriptors if d.strip()])


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
        levels = [parse_level(d) for d in item.descriptors if d.strip()]
        crit.descriptors = [text for text, _band in levels]
        crit.bands = [band for _text, band in levels]
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
