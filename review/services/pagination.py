"""Keyset (cursor) pagination: a page starts after the last row of the previous one.

OFFSET pagination reads and throws away every row before the page, and a row inserted while
someone pages shifts the rest; a cursor that names the last row's sort key does neither. The
cursor is opaque to clients (URL-safe base64 of a small JSON list) but not secret: it only
carries the sort key of a row the caller was already shown, and every query that takes one
keeps its own access rules.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any


class CursorError(ValueError):
    """The cursor is not one this server handed out."""


def encode_cursor(*key: Any) -> str:
    """Return an opaque cursor for a sort key (ints, strings, datetimes, None)."""
    values = [{"t": v.isoformat()} if isinstance(v, datetime) else v for v in key]
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _is_a(value: Any, kind: type) -> bool:
    """Tell whether a JSON value is of kind (a bool is not an int here)."""
    return isinstance(value, kind) and not (kind is int and isinstance(value, bool))


def decode_cursor(cursor: str, types: tuple[type, ...]) -> tuple[Any, ...]:
    """Return the sort key of a cursor, checked against the expected types.

    Raises:
        CursorError: the cursor is malformed or does not match `types`.
    """
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise CursorError(cursor) from exc
    if not isinstance(values, list) or len(values) != len(types):
        raise CursorError(cursor)
    key: list[Any] = []
    for value, kind in zip(values, types, strict=True):
        if kind is datetime:
            if not isinstance(value, dict) or not isinstance(value.get("t"), str):
                raise CursorError(cursor)
            try:
                value = datetime.fromisoformat(value["t"])
            except ValueError as exc:
                raise CursorError(cursor) from exc
        elif not _is_a(value, kind):
            raise CursorError(cursor)
        key.append(value)
    return tuple(key)
