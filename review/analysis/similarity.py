"""Near-duplicate detection: MinHash signatures of pinyin shingles, LSH band keys, passages.

Texts are compared by sound (toneless pinyin), so a transcript with the recogniser's
homophones still matches the paper it was read from. A shingle is SHINGLE consecutive
syllables; signatures have NUM_PERM MinHash values, split into BANDS bands for LSH (a pair
becomes a candidate when one band agrees: about 50% chance at Jaccard 0.42, 87% at 0.5,
99% at 0.6). A candidate is flagged when the Jaccard similarity of the shingle sets reaches
THRESHOLD; unrelated thought reports share set phrases but score well below it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache, cached_property

import numpy as np

from review.analysis.oath import OATH_TEXT
from review.analysis.text import Normalised, char_syllables, normalise, syllables

SHINGLE = 4
NUM_PERM = 128
BANDS = 32
THRESHOLD = 0.5
MIN_CHARS = 50  # shorter texts are not compared: too little to tell copying from chance
SEED = 20261126


@dataclass
class Text:
    """A text prepared for comparison: content characters, their sounds and the original."""

    original: str
    norm: Normalised

    @classmethod
    def of(cls, original: str) -> Text:
        """Prepare original for comparison."""
        return cls(original or "", normalise(original or ""))

    @cached_property
    def sounds(self) -> list[str]:
        """Return one toneless syllable per content character."""
        return char_syllables(self.norm.chars)

    @cached_property
    def shingles(self) -> set[str]:
        """Return the set of SHINGLE-syllable shingles, less those of the oath everyone recites."""
        return shingles_of(self.sounds) - _oath_shingles()

    def excerpt(self, first: int, last: int) -> str:
        """Return the original text from content character first to last (inclusive)."""
        offsets = self.norm.offsets
        return self.original[offsets[first] : offsets[last] + 1]


def shingles_of(sounds: list[str]) -> set[str]:
    """Return the set of SHINGLE-syllable shingles of a syllable list."""
    return {" ".join(sounds[i : i + SHINGLE]) for i in range(max(len(sounds) - SHINGLE + 1, 0))}


@cache
def _oath_shingles() -> frozenset[str]:
    # Every activist recites the same oath: it must not make two reports look copied.
    return frozenset(shingles_of(syllables(normalise(OATH_TEXT).chars)))


def signature(shingles: set[str]) -> np.ndarray:
    """Return the MinHash signature (NUM_PERM uint32 values) of a shingle set."""
    from datasketch import MinHash

    minhash = MinHash(num_perm=NUM_PERM, seed=SEED)
    minhash.update_batch([s.encode("utf-8") for s in sorted(shingles)])
    return minhash.hashvalues.astype(np.uint32)


def to_bytes(sig: np.ndarray) -> bytes:
    """Serialise a signature for storage."""
    return sig.astype("<u4").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    """Read a stored signature."""
    return np.frombuffer(data, dtype="<u4")


def band_keys(sig: np.ndarray) -> list[int]:
    """Return one signed 64-bit key per LSH band (band number included, so bands never mix)."""
    rows = NUM_PERM // BANDS
    keys = []
    for band in range(BANDS):
        chunk = sig[band * rows : (band + 1) * rows].astype("<u4").tobytes()
        digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def estimate(a: np.ndarray, b: np.ndarray) -> float:
    """Return the Jaccard similarity estimated from two signatures."""
    return float(np.mean(a == b))


def jaccard(a: set[str], b: set[str]) -> float:
    """Return the exact Jaccard similarity of two shingle sets."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def containment(a: set[str], b: set[str]) -> float:
    """Return the share of a's shingles that also occur in b."""
    return len(a & b) / len(a) if a else 0.0


def _widen_over_substitutions(merged: list[list[int]], a_len: int, b_len: int, gap: int) -> None:
    """Take a misheard character at either end of a passage into it.

    A run that starts after one differing syllable on both sides ("尽爱的党组织" read for
    "敬爱的党组织") would otherwise show the passage without its first character. Only an equal
    number of unmatched characters on both sides (a substitution, at most gap) is taken.
    """
    for i, m in enumerate(merged):
        a_floor, b_floor = (merged[i - 1][1], merged[i - 1][3]) if i else (0, 0)
        before_a, before_b = m[0] - a_floor, m[2] - b_floor
        if before_a == before_b and 0 < before_a <= gap:
            m[0], m[2] = a_floor, b_floor
        a_ceiling, b_ceiling = (
            (merged[i + 1][0], merged[i + 1][2]) if i + 1 < len(merged) else (a_len, b_len)
        )
        after_a, after_b = a_ceiling - m[1], b_ceiling - m[3]
        if after_a == after_b and 0 < after_a <= gap:
            m[1], m[3] = a_ceiling, b_ceiling


def passages(
    a: Text, b: Text, *, min_len: int = 8, gap: int = 3, limit: int = 12
) -> list[tuple[int, int, int, int]]:
    """Return up to limit shared passages as (a_first, a_last, b_first, b_last) character ranges.

    Matching runs of syllables are merged across small gaps (a few misheard or edited
    characters) and kept when at least min_len long; the longest come first.
    """
    if not a.sounds or not b.sounds:
        return []
    matcher = SequenceMatcher(None, a.sounds, b.sounds, autojunk=False)
    merged: list[list[int]] = []  # [a_start, a_end, b_start, b_end, matched syllables]
    for block in matcher.get_matching_blocks():
        if block.size == 0:
            continue
        last = merged[-1] if merged else None
        if last and 0 <= block.a - last[1] <= gap and 0 <= block.b - last[3] <= gap:
            last[1], last[3], last[4] = (
                block.a + block.size,
                block.b + block.size,
                last[4] + block.size,
            )
        else:
            merged.append(
                [block.a, block.a + block.size, block.b, block.b + block.size, block.size]
            )
    _widen_over_substitutions(merged, len(a.sounds), len(b.sounds), gap)
    kept = [m for m in merged if m[4] >= min_len and m[4] >= 0.7 * max(m[1] - m[0], m[3] - m[2])]
    kept.sort(key=lambda m: -m[4])
    return [(m[0], m[1] - 1, m[2], m[3] - 1) for m in sorted(kept[:limit])]
