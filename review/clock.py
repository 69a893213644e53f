"""The current time, timezone-aware in UTC: the one clock the app reads (shown in Beijing time)."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)
