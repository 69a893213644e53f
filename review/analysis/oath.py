"""Oath recitation check: find the 入党誓词 in a transcript and compare it phrase by phrase.

Phrases are compared by sound (toneless pinyin), so the recogniser's homophones (钢领/纲领,
旅行/履行, 终成/忠诚) count as heard correctly; the characters are reported beside them.
A phrase is `present` when its sound errors are at most PRESENT_RATIO of its length,
`differs` when they stay below DIFFERS_RATIO (something close was said), else `missing`.
The result is a hint for the reviewer, never a score.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from media.text import edit_distance
from review.analysis.text import normalise, substitution_cost, syllables, timed_transcript

OATH_TEXT = (
    "我志愿加入中国共产党，拥护党的纲领，遵守党的章程，履行党员义务，执行党的决定，"
    "严守党的纪律，保守党的秘密，对党忠诚，积极工作，为共产主义奋斗终身，"
    "随时准备为党和人民牺牲一切，永不叛党。"
)
PHRASES = tuple(p for p in re.split(r"[，。]", OATH_TEXT) if p)
PRESENT_RATIO = 0.2
DIFFERS_RATIO = 0.5
MIN_PHRASES_FOUND = 3  # fewer recognisable phrases than this: the oath was not recited
REGION_MARGIN = 20  # syllables searched on each side of the located recitation
_MASK = "\x00"  # a syllable already claimed by another phrase: matches nothing


@dataclass
class PhraseResult:
    """How one phrase of the oath was heard."""

    text: str
    status: str  # present | differs | missing
    heard: str | None = None
    char_errors: int | None = None
    sound_errors: float | None = None
    start: float | None = None
    end: float | None = None


@dataclass
class OathResult:
    """The oath check of one transcript."""

    status: str  # complete | incomplete | not_found
    phrases: list[PhraseResult] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    start: float | None = None
    end: float | None = None
    coverage: float = 0.0
    cer: float | None = None
    in_order: bool = True

    def as_dict(self) -> dict:
        """Return a JSON-ready dict."""
        return asdict(self)


def check_oath(segments: Iterable) -> OathResult:
    """Compare a transcript (segments with start, end, text) with the official oath."""
    timed = timed_transcript(segments)
    heard = syllables(timed.chars)
    oath_sounds = syllables(normalise(OATH_TEXT).chars)
    located = locate(oath_sounds, heard)
    if located is None:
        return _not_found()
    lo, hi = max(located[0] - REGION_MARGIN, 0), min(located[1] + REGION_MARGIN, len(heard))
    windows = _match_phrases(heard, lo, hi)
    results = []
    for phrase, window in zip(PHRASES, windows, strict=True):
        if window is None:
            results.append(PhraseResult(phrase, "missing"))
            continue
        cost, first, last = window
        text = timed.chars[first:last]
        start, end = timed.span(first, last - 1)
        status = "present" if cost <= PRESENT_RATIO * len(phrase) else "differs"
        results.append(
            PhraseResult(phrase, status, text, edit_distance(phrase, text), cost, start, end)
        )
    found = [r for r in results if r.status != "missing"]
    if len(found) < MIN_PHRASES_FOUND:
        return _not_found()
    positions = [w[1] for w in windows if w is not None]
    first = min(w[1] for w in windows if w is not None)
    last = max(w[2] for w in windows if w is not None)
    missing = [r.text for r in results if r.status == "missing"]
    present = sum(r.status == "present" for r in results)
    official = normalise(OATH_TEXT).chars
    return OathResult(
        status="complete" if present == len(PHRASES) else "incomplete",
        phrases=results,
        missing=missing,
        start=timed.span(first, last - 1)[0],
        end=timed.span(first, last - 1)[1],
        coverage=round(present / len(PHRASES), 3),
        cer=round(edit_distance(official, timed.chars[first:last]) / len(official), 3),
        in_order=positions == sorted(positions),
    )


def _not_found() -> OathResult:
    return OathResult(status="not_found", missing=list(PHRASES))


def locate(oath: list[str], heard: list[str]) -> tuple[int, int] | None:
    """Return the [start, end) syllable range of the best local alignment of the oath.

    Smith-Waterman: +2 for the same sound, +1 for a confusable one, -1 for a different
    sound or a gap. None when no stretch scores like at least one recited phrase.
    """
    best, best_range = 0.0, None
    prev = [0.0] * (len(oath) + 1)
    prev_start = [0] * (len(oath) + 1)
    for j, sound in enumerate(heard, 1):
        cur, cur_start = [0.0], [j]
        for i, target in enumerate(oath, 1):
            cost = substitution_cost(sound, target)
            options = (
                (
                    prev[i - 1] + (2.0 if cost == 0 else 1.0 if cost < 1 else -1.0),
                    prev_start[i - 1],
                ),
                (prev[i] - 1.0, prev_start[i]),
                (cur[i - 1] - 1.0, cur_start[i - 1]),
            )
            score, start = max(options, key=lambda o: o[0])
            if score <= 0:
                score, start = 0.0, j
            cur.append(score)
            cur_start.append(start)
            if score > best:
                best, best_range = score, (start, j)
        prev, prev_start = cur, cur_start
    min_score = 2 * min(len(p) for p in PHRASES)
    return best_range if best >= min_score else None


def _match_phrases(heard: list[str], lo: int, hi: int) -> list[tuple[float, int, int] | None]:
    """Give each phrase its best window in heard[lo:hi], best matches claiming theirs first."""
    region = list(heard[lo:hi])
    targets = [syllables(p) for p in PHRASES]
    windows: list[tuple[float, int, int] | None] = [None] * len(PHRASES)
    pending = set(range(len(PHRASES)))
    while pending:
        scored = []
        for index in pending:
            cost, first, last = best_window(targets[index], region)
            scored.append((cost / len(targets[index]), index, cost, first, last))
        ratio, index, cost, first, last = min(scored)
        pending.discard(index)
        if ratio >= DIFFERS_RATIO or last <= first:
            continue
        windows[index] = (cost, lo + first, lo + last)
        region[first:last] = [_MASK] * (last - first)
    return windows


def best_window(pattern: list[str], text: list[str]) -> tuple[float, int, int]:
    """Return (cost, start, end) of the text window closest in sound to pattern (Sellers)."""
    if not text:
        return float(len(pattern)), 0, 0
    prev = [0.0] * (len(text) + 1)
    prev_start = list(range(len(text) + 1))
    for i, target in enumerate(pattern, 1):
        cur, cur_start = [float(i)], [0]
        for j, sound in enumerate(text, 1):
            sub = prev[j - 1] + (1.0 if sound == _MASK else substitution_cost(sound, target))
            options = (
                (sub, prev_start[j - 1]),
                (prev[j] + 1.0, prev_start[j]),
                (cur[j - 1] + 1.0, cur_start[j - 1]),
            )
            score, start = min(options, key=lambda o: o[0])
            cur.append(score)
            cur_start.append(start)
        prev, prev_start = cur, cur_start
    size = len(pattern)  # on a tie, prefer the window as long as the phrase
    end = min(range(1, len(text) + 1), key=lambda j: (prev[j], abs(j - prev_start[j] - size)))
    return prev[end], prev_start[end], end
