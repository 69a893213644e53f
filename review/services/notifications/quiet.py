"""Quiet hours: no email or bot message between QUIET_HOURS_START and _END, Beijing time."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app


def _clock(text: str) -> time:
    hours, minutes = text.strip().split(":")
    return time(int(hours), int(minutes))


def quiet_until(at: datetime) -> datetime | None:
    """Return when the quiet hours around `at` end (UTC), or None if `at` is not in them."""
    cfg = current_app.config
    start, end = _clock(cfg["QUIET_HOURS_START"]), _clock(cfg["QUIET_HOURS_END"])
    if start == end:
        return None  # no quiet hours
    zone = ZoneInfo(cfg["BABEL_DEFAULT_TIMEZONE"])
    local = at.astimezone(zone)
    moment = local.time()
    if start < end:  # e.g. 12:00–14:00, within one day
        inside = start <= moment < end
        ends_day = local.date()
    else:  # e.g. 22:00–07:30, over midnight
        inside = moment >= start or moment < end
        ends_day = local.date() + timedelta(days=1) if moment >= start else local.date()
    if not inside:
        return None
    return datetime.combine(ends_day, end, tzinfo=zone).astimezone(UTC)


def first_allowed(at: datetime, *, quiet: bool) -> datetime:
    """Return `at`, or the end of the quiet hours when `quiet` applies and `at` is inside them."""
    if not quiet:
        return at
    return quiet_until(at) or at
