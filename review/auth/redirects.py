"""Safe redirect targets: the one rule for every `next=` parameter."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """Return target when it is a path on this site, else None.

    Browsers drop tabs and newlines inside URLs and read a backslash as a slash, so
    `/\\t/evil.example` or `/\\evil.example` would leave the site: any control character,
    whitespace or backslash refuses the target outright.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F or ch == "\\" for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
