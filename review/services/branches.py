"""Branches in the order people read them: 第2党支部 before 第10党支部, 第二 before 第十.

A plain ORDER BY name sorts 第10党支部 between 第1 and 第2, and Chinese numerals by code point
(第三 before 第二). Branch names are few, so they are sorted here with a key that reads
numbers in both scripts (cn2an turns Chinese numerals into digits), cached per name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import cn2an
from sqlalchemy import select

from review.extensions import db
from review.models import Branch

_DIGITS = re.compile(r"(\d+)")


@lru_cache(maxsize=4096)
def natural_key(name: str) -> tuple[tuple[int, int, str], ...]:
    """Return a sort key that compares the numbers in name by value."""
    text = cn2an.transform(name, "cn2an")
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in _DIGITS.split(text)
        if part
    )


def in_order(branches: Iterable[Branch]) -> list[Branch]:
    """Return the branches sorted as people read their names."""
    return sorted(branches, key=lambda b: (natural_key(b.name), b.id))


def all_branches() -> list[Branch]:
    """Return every branch, in reading order."""
    return in_order(db.session.scalars(select(Branch)))


def all_names() -> list[str]:
    """Return every branch's name, in reading order."""
    return [b.name for b in all_branches()]
