"""Write files atomically: temp name in the same directory, then os.replace."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path


def temp_sibling(path: os.PathLike[str] | str) -> Path:
    """Return a hidden, unique temp path next to `path` (same filesystem)."""
    path = Path(path)
    return path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.part")


def discard(path: os.PathLike[str] | str | None) -> None:
    """Delete a temp file if it exists."""
    if path is not None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


@contextlib.contextmanager
def atomic_path(path: os.PathLike[str] | str) -> Iterator[Path]:
    """Yield a temp path; move it onto `path` on success, delete it on error."""
    tmp = temp_sibling(path)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        discard(tmp)


def write_text_atomic(path: os.PathLike[str] | str, text: str) -> None:
    """Write UTF-8 text to `path` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
