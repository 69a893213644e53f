"""Committee exports: XLSX, CSV, PDF assessment sheets and ZIP bundles, with shared helpers."""

from __future__ import annotations

import re
from typing import TypeVar, overload
from urllib.parse import quote

_T = TypeVar("_T")

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


@overload
def neutralise(value: str) -> str: ...
@overload
def neutralise(value: _T) -> _T: ...


def neutralise(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_filename(text: str, limit: int = 80) -> str:
    """Return text usable as a file name on Windows, macOS and Linux (Chinese kept)."""
    cleaned = _UNSAFE.sub("_", text).strip(" ._") or "_"
    return cleaned[:limit]


def content_disposition(filename: str, fallback: str) -> str:
    """Return an attachment header with an ASCII fallback and the RFC 5987 UTF-8 name."""
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", fallback) or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


__all__ = ["FORMULA_START", "content_disposition", "neutralise", "safe_filename"]
