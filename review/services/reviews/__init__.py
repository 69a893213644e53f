"""Reviews: the reviewer's queue (queue.py), one's own review (editing.py), corrections.py."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """Return the current UTC time."""
    return datetime.now(UTC)
