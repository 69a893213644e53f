"""The committee dashboard's per-branch figures and charts, counted at most once a minute.

Counting a period of 100 000 submissions (members, states, missing, overdue and failed per
branch, the charts' figures) takes about 0.3 s however it is indexed, while the page is read
far more often than a minute's changes matter to it. So the figures are kept in Redis for
DASHBOARD_CACHE_SECONDS per period, threshold and language, and the page says when they were
counted. Only what the page lists is kept: counts, names, student numbers, submission times
and the charts' SVG; no report content (the disagreements, which show reviewers' comments, are
read from the database on every request). Redis being down only means counting every time.
The figures do not depend on who asks: only committee members read the dashboard, and the
committee sees every branch (review/access.py). Were it ever scoped per reader, the key must
name the reader's scope.
"""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import asdict, dataclass, field
from datetime import datetime

from flask import current_app
from flask_babel import get_locale
from redis.exceptions import RedisError

from review import clock
from review.committee.charts import dashboard_charts
from review.models import Submission
from review.services import dashboard, statistics

log = logging.getLogger(__name__)
KEY = "huibao:dashboard:{period}:{threshold}:{locale}"


@dataclass(frozen=True)
class BranchRef:
    """A branch as the page names and links it."""

    id: int
    name: str


@dataclass(frozen=True)
class Listed:
    """A person or a submission the page lists: who, and when submitted (for overdue ones)."""

    id: int
    name: str
    username: str
    submitted_at: datetime | None = None


@dataclass
class BranchFigures:
    """One branch's figures, as plain values (BranchOverview without the ORM objects)."""

    branch: BranchRef
    members: int
    counts: dict[str, int]
    missing: list[Listed] = field(default_factory=list)
    overdue: list[Listed] = field(default_factory=list)
    failed: list[Listed] = field(default_factory=list)
    missing_count: int = 0
    overdue_count: int = 0
    failed_count: int = 0


@dataclass
class Snapshot:
    """What the dashboard shows of a period, and when it was counted."""

    rows: list[BranchFigures]
    charts: dict[str, str]
    disagreement_total: int
    counted_at: datetime


def snapshot(period_id: int, threshold: float, states: tuple[str, ...]) -> Snapshot:
    """Return the period's figures, counted now or at most DASHBOARD_CACHE_SECONDS ago."""
    seconds = current_app.config["DASHBOARD_CACHE_SECONDS"]
    key = KEY.format(period=period_id, threshold=f"{threshold:g}", locale=get_locale())
    redis = current_app.extensions["redis"]
    if seconds:
        try:
            raw = redis.get(key)
        except RedisError:
            log.warning("redis unavailable: the dashboard counts on every request")
            raw = None
        if raw:
            return _load(raw)
    found = count(period_id, threshold, states)
    if seconds:
        with contextlib.suppress(RedisError):  # not kept: the next request counts again
            redis.set(key, _dump(found), ex=seconds)
    return found


def count(period_id: int, threshold: float, states: tuple[str, ...]) -> Snapshot:
    """Count the period's figures and draw its charts now."""
    overview = dashboard.overview(period_id)
    spread = statistics.agreement(period_id, threshold)  # the chart's counts and the total
    charts = dashboard_charts(period_id, overview, states, spread)
    return Snapshot([_figures(r) for r in overview], charts, spread.beyond, clock.now())


def _figures(row: dashboard.BranchOverview) -> BranchFigures:
    def submission(s: Submission) -> Listed:
        version = s.current
        return Listed(
            s.id, s.activist.name, s.activist.username, version.submitted_at if version else None
        )

    return BranchFigures(
        branch=BranchRef(row.branch.id, row.branch.name),
        members=row.members,
        counts=dict(row.counts),
        missing=[Listed(u.id, u.name, u.username) for u in row.missing],
        overdue=[submission(s) for s in row.overdue],
        failed=[submission(s) for s in row.failed],
        missing_count=row.missing_count,
        overdue_count=row.overdue_count,
        failed_count=row.failed_count,
    )


def _dump(found: Snapshot) -> str:
    return json.dumps(asdict(found), default=lambda v: v.isoformat(), ensure_ascii=False)


def _load(raw: bytes | str) -> Snapshot:
    data = json.loads(raw)

    def listed(item: dict) -> Listed:
        at = item.get("submitted_at")
        return Listed(
            item["id"], item["name"], item["username"], datetime.fromisoformat(at) if at else None
        )

    rows = [
        BranchFigures(
            branch=BranchRef(**r["branch"]),
            members=r["members"],
            counts=r["counts"],
            missing=[listed(i) for i in r["missing"]],
            overdue=[listed(i) for i in r["overdue"]],
            failed=[listed(i) for i in r["failed"]],
            missing_count=r["missing_count"],
            overdue_count=r["overdue_count"],
            failed_count=r["failed_count"],
        )
        for r in data["rows"]
    ]
    counted_at = datetime.fromisoformat(data["counted_at"])
    return Snapshot(rows, data["charts"], data["disagreement_total"], counted_at)
