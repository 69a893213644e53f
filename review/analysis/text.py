"""Text helpers of the analyses: normalised characters, toneless pinyin, transcript timing."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from media.text import to_simplified

# Folds that merge sounds many Mandarin speakers (and the recogniser) confuse: a syllable that
# only differs by one of these counts as half an error, not a whole one.
_INITIAL_FOLDS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"))
_FINAL_FOLDS = (("ing", "in"), ("eng", "en"), ("ang", "an"))


def keep_char(ch: str) -> bool:
    """Tell whether a character carries content (not punctuation, symbol, space or control)."""
    return unicodedata.category(ch)[0] not in "PSZC"


@dataclass(frozen=True)
class Normalised:
    """Content characters of a text with their positions in the original string."""

    chars: str
    offsets: tuple[int, ...]


def normalise(text: str) -> Normalised:
    """Return the simplified, NFKC-folded, lower-case content characters of text with offsets."""
    chars, offsets = [], []
    simplified = to_simplified(text or "")
    for index, ch in enumerate(simplified):
        folded = unicodedata.normalize("NFKC", ch).lower()
        if len(folded) == 1 and keep_char(folded):
            chars.append(folded)
            offsets.append(index)
    return Normalised("".join(chars), tuple(offsets))


def syllables(chars: str) -> list[str]:
    """Return one toneless pinyin syllable per character (other characters stay as they are)."""
    if not chars:
        return []
    from pypinyin import Style, lazy_pinyin

    # errors= may return a list (one item per character); pypinyin's annotation says str only
    return lazy_pinyin(chars, style=Style.NORMAL, errors=list)  # type: ignore[arg-type]


_CHAR_SOUNDS: dict[str, str] = {}


def char_syllables(chars: str) -> list[str]:
    """Return each character's usual toneless syllable, without word context (fast, cached).

    Used to compare long texts, where the same character must always give the same sound;
    syllables() reads heteronyms in context (履行 lü xing, 银行 yin hang) for short phrases.
    """
    out = []
    for ch in chars:
        sound = _CHAR_SOUNDS.get(ch)
        if sound is None:
            sound = _CHAR_SOUNDS.setdefault(ch, syllables(ch)[0])
        out.append(sound)
    return out


def fold(syllable: str) -> str:
    """Return the syllable with easily confused initials and finals merged."""
    for full, short in _INITIAL_FOLDS:
        if syllable.startswith(full):
            syllable = short + syllable[len(full) :]
            break
    for full, short in _FINAL_FOLDS:
        if syllable.endswith(full):
            return syllable[: -len(full)] + short
    return syllable


def substitution_cost(a: str, b: str) -> float:
    """Return 0 for the same sound, 0.5 for a confusable one, 1 otherwise."""
    if a == b:
        return 0.0
    return 0.5 if fold(a) == fold(b) else 1.0


@dataclass(frozen=True)
class TimedText:
    """A transcript joined into one string, with a start and end time for each content character."""

    chars: str
    starts: tuple[float, ...]
    ends: tuple[float, ...]

    def span(self, first: int, last: int) -> tuple[float | None, float | None]:
        """Return the start of character first and the end of character last (seconds)."""
        if not self.chars:
            return None, None
        top = len(self.chars) - 1
        return self.starts[min(max(first, 0), top)], self.ends[min(max(last, 0), top)]


def timed_transcript(segments: Iterable) -> TimedText:
    """Join segments (objects with start, end, text) and interpolate the times of each character."""
    chars: list[str] = []
    starts: list[float] = []
    ends: list[float] = []
    for seg in segments:
        norm = normalise(seg.text).chars
        begin, span = float(seg.start), max(float(seg.end) - float(seg.start), 0.0)
        for i, ch in enumerate(norm):
            chars.append(ch)
            starts.append(round(begin + span * i / len(norm), 2))
            ends.append(round(begin + span * (i + 1) / len(norm), 2))
    return TimedText("".join(chars), tuple(starts), tuple(ends))
