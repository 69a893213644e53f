"""Chinese text helpers: Traditional to Simplified, normalisation and character error rate."""

from __future__ import annotations

import unicodedata
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opencc import OpenCC


@cache
def _converter() -> OpenCC:
    """Build the OpenCC Traditional-to-Simplified converter once per process."""
    from opencc import OpenCC

    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Convert Traditional Chinese characters to Simplified."""
    return _converter().convert(text) if text else text


def normalize_for_cer(text: str) -> str:
    """Return Simplified, NFKC-folded, lower-case text without punctuation, symbols or spaces."""
    text = unicodedata.normalize("NFKC", to_simplified(text)).lower()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PSZC")


def edit_distance(a: str, b: str) -> int:
    """Return the Levenshtein distance between two strings."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def cer(ref: str, hyp: str, *, normalize: bool = True) -> float:
    """Return the character error rate of `hyp` against `ref` (normalised first by default)."""
    if normalize:
        ref, hyp = normalize_for_cer(ref), normalize_for_cer(hyp)
    if not ref:
        return 0.0 if not hyp else 1.0
    return edit_distance(ref, hyp) / len(ref)
