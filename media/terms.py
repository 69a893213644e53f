"""Party-term correction of a transcript in pinyin space, and Chinese punctuation clean-up.

Whisper's base model hears the words that matter most as homophones (钢灵 for 纲领, 忠深 for
忠诚). A span of a segment whose toneless pinyin is within a small, weighted distance of a
lexicon term is replaced by the term when the match is confident; tones only break ties.
A span that holds a real, different common word (jieba's dictionary) is left alone unless a
long term matches as a whole: 旅行 stays in a sentence about travel, 旅行党原义务 becomes
履行党员义务. Pure: no Flask, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

LEXICON_FILE = "party_terms.txt"
COMMON_MIN_FREQ = 30  # jieba frequency from which a word counts as a real, common word
MAX_SYLLABLE_COST = 0.75  # no syllable may differ more than this (see syllable_cost)
# A term this long carries its own context: one of its syllables may be heard as anything
# (分手党的章程 on a phone for 遵守党的章程), and it may replace a real word inside it, when
# the rest sounds close (_max_cost) and half of its characters are heard exactly.
LONG_TERM = 6
_HAN = re.compile(r"[\u3400-\u9fff]+")
_INITIALS = ("zh", "ch", "sh", *"bpmfdtnlgkhjqxrzcsyw")  # two-letter ones first
# Confusions of Mandarin speakers and of Whisper alike: flat/retroflex, n/l, front/back nasal.
_NEAR_INITIALS = {frozenset(p) for p in (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"))}
_NEAR_INITIALS |= {frozenset(p) for p in (("f", "h"), ("l", "r"), ("ch", "sh"), ("zh", "ch"))}
_NEAR_FINALS = {frozenset(p) for p in (("in", "ing"), ("en", "eng"), ("an", "ang"))}
_NEAR_FINALS |= {frozenset(p) for p in (("ian", "iang"), ("uan", "uang"), ("eng", "ong"))}
_HALF_TO_FULL = {",": "，", ".": "。", "?": "？", "!": "！", ":": "：", ";": "；"}
_CJK = r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef“”‘’]"
_PUNCT_RE = re.compile(rf"(?<={_CJK})\s*([,.?!:;])\s*|\s*([,?!:;])\s*(?={_CJK})")
_GAP_RE = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")


@dataclass(frozen=True)
class TermFix:
    """One replacement: at `at` in the corrected text, `term` stands where `heard` was.

    `heard`/`term` are only the characters that changed; `entry` is the lexicon term matched.
    """

    at: int
    heard: str
    term: str
    entry: str = ""

    def as_dict(self) -> dict[str, object]:
        """Return the fix as JSON-ready data."""
        return {"at": self.at, "heard": self.heard, "term": self.term, "entry": self.entry}


@dataclass(frozen=True)
class CorrectedText:
    """A text after correction, with what the recogniser heard and each replacement."""

    text: str
    heard: str
    fixes: tuple[TermFix, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class _Term:
    text: str
    plain: tuple[str, ...]
    toned: tuple[str, ...]


def normalize_punctuation(text: str) -> str:
    """Make punctuation in Chinese text full-width (，。？！：；); a gap between clauses is a ，."""
    text = _PUNCT_RE.sub(lambda m: _HALF_TO_FULL[m.group(1) or m.group(2)], text)
    return _GAP_RE.sub("，", text)


def shipped_terms() -> list[str]:
    """Return the lexicon shipped in the package, in file order."""
    data = resources.files("media").joinpath("data", LEXICON_FILE).read_text(encoding="utf-8")
    return [s for line in data.splitlines() if (s := line.strip()) and not s.startswith("#")]


@cache
def common_words() -> frozenset[str]:
    """Return jieba's dictionary words of two or more characters seen often enough."""
    words = set()
    with resources.files("jieba").joinpath("dict.txt").open(encoding="utf-8") as fh:
        for line in fh:
            word, freq, *_ = line.split()
            if len(word) > 1 and int(freq) >= COMMON_MIN_FREQ:
                words.add(word)
    return frozenset(words)


@cache
def _split(syllable: str) -> tuple[str, str]:
    for initial in _INITIALS:
        if syllable.startswith(initial) and len(syllable) > len(initial):
            return initial, syllable[len(initial) :]
    return "", syllable


@cache
def syllable_cost(a: str, b: str) -> float:
    """Return how far two toneless syllables sound apart: 0 same, 1 unrelated."""
    if a == b:
        return 0.0
    (ia, fa), (ib, fb) = _split(a), _split(b)
    ci = 0.0 if ia == ib else 0.5 if frozenset((ia, ib)) in _NEAR_INITIALS else 1.0
    cf = 0.0 if fa == fb else 0.5 if frozenset((fa, fb)) in _NEAR_FINALS else 1.0
    return min(1.0, (ci + cf) / 2)


def _pinyin(run: str) -> tuple[list[str], list[str], list[set[str]]]:
    """Return the contextual toneless and toned pinyin of a Han run, and each char's readings."""
    from pypinyin import Style, lazy_pinyin, pinyin

    plain = lazy_pinyin(run)
    toned = lazy_pinyin(run, style=Style.TONE3, neutral_tone_with_five=True)
    # The contextual reading and the character's most common one: rare readings (和 as hu)
    # would make far too many spans sound alike.
    readings = [
        {r[0], p}
        for r, p in zip(pinyin(run, style=Style.NORMAL, heteronym=True), plain, strict=True)
    ]
    return plain, toned, readings


@cache
def _compile(terms: tuple[str, ...]) -> dict[int, list[_Term]]:
    """Group the Han parts (two or more characters) of the terms by length."""
    by_len: dict[int, list[_Term]] = {}
    seen = set()
    for term in terms:
        for part in _HAN.findall(term):
            if len(part) < 2 or part in seen:
                continue
            seen.add(part)
            plain, toned, _ = _pinyin(part)
            by_len.setdefault(len(part), []).append(_Term(part, tuple(plain), tuple(toned)))
    return by_len


def _max_cost(length: int) -> float:
    # A two-character term only replaces exact homophones (钢灵 → 纲领): with one syllable
    # off, 党和 would become 党课. Longer terms carry their own context.
    return 0.0 if length <= 2 else 0.75 if length == 3 else 1.0 if length <= 5 else 1.5


def _breaks_real_word(run: str, start: int, term: str) -> bool | None:
    """Judge the common words a replacement would touch: None none, False inside, True across.

    True means a word that a replaced character belongs to reaches outside the span
    (保卫共产主义 must not become 保为共产主义): always refused.
    """
    words = common_words()
    end = start + len(term)
    changed = [k for k in range(start, end) if run[k] != term[k - start]]
    inside: bool | None = None
    for k in changed:
        for a in range(max(0, k - 3), k + 1):
            for b in range(k + 1, min(len(run), a + 4) + 1):
                if b - a < 2 or run[a:b] not in words:
                    continue
                if a < start or b > end:
                    return True
                inside = False
    return inside


_Candidate = tuple[tuple[float, int, int], int, _Term]  # (sort key, position, term)


def _candidates(run: str, terms: dict[int, list[_Term]]) -> list[_Candidate]:
    plain, toned, readings = _pinyin(run)
    near: list[dict[str, float]] = [{} for _ in run]  # per character: syllable -> cost

    def cost_at(k: int, syllable: str) -> float:
        got = near[k].get(syllable)
        if got is None:
            got = near[k][syllable] = min(syllable_cost(r, syllable) for r in readings[k])
        return got

    found = []
    for length, group in terms.items():
        limit = _max_cost(length)
        for i in range(len(run) - length + 1):
            window = run[i : i + length]
            for term in group:
                if window == term.text:
                    found.append(((-1.0, -length, 0), i, term))
                    continue
                cost = 0.0
                wild = length >= LONG_TERM  # one syllable of a long term may be unrelated
                for k in range(length):
                    c = cost_at(i + k, term.plain[k])
                    cost += c
                    if c > MAX_SYLLABLE_COST:
                        if not wild:
                            break
                        wild = False
                    if cost > limit:
                        break
                else:
                    same = sum(a == b for a, b in zip(window, term.text, strict=True))
                    if cost > 0 and length <= 3 and same == 0:
                        continue
                    tones = sum(
                        t != u for t, u in zip(toned[i : i + length], term.toned, strict=True)
                    )
                    found.append(((cost / length, -length, tones), i, term))
    found.sort(key=lambda c: (c[0], c[1]))
    return found


def _confident(run: str, i: int, term: _Term, cost_per_char: float) -> bool:
    """Accept a candidate unless it would change a real, different common word."""
    if run[i : i + len(term.text)] in common_words():  # 现实主义 is no misheard 形式主义
        return False
    real = _breaks_real_word(run, i, term.text)
    if real is None:
        return True
    if real:
        return False
    # Only a long term matched as a whole may replace a real word (旅行党原义务 → 履行党员义务).
    n = len(term.text)
    same = sum(a == b for a, b in zip(run[i : i + n], term.text, strict=True))
    if n >= LONG_TERM and 2 * same >= n:  # 汇共产主义分斗忠诚: 忠诚 is a word, not here
        return True
    return n >= 4 and cost_per_char * n <= 0.5 and 2 * same >= n


def _inside(start: int, end: int, i: int, stop: int, term: _Term) -> bool:
    """Tell whether a two-character exact term start..end lies inside a long term's i..stop."""
    return len(term.text) >= LONG_TERM and end - start <= 2 and i <= start and end <= stop


def _correct_run(run: str, terms: dict[int, list[_Term]]) -> tuple[str, list[TermFix]]:
    locked: set[int] = set()  # characters that are part of a fix
    exact: list[tuple[int, int]] = []  # spans heard exactly as a term
    fixed_spans: list[tuple[int, int]] = []
    chosen: list[tuple[int, _Term]] = []
    for key, i, term in _candidates(run, terms):
        end = i + len(term.text)
        if key[0] < 0:
            exact.append((i, end))
            locked.update(range(i, end))
            continue
        changed = {k for k in range(i, end) if run[k] != term.text[k - i]}
        if changed & locked:
            # A long term may take a two-character term heard inside it (忠诚 in 为共产主义分斗
            # 忠诚: 奋斗终身); nothing else that was heard exactly or fixed is changed.
            kept = set().union(*(range(s, e) for s, e in exact if not _inside(s, e, i, end, term)))
            if changed & (kept | {k for s, e in fixed_spans for k in range(s, e)}):
                continue
        if any(i < e and s < end for s, e in fixed_spans):
            continue
        if not _confident(run, i, term, key[0]):
            continue
        fixed_spans.append((i, end))
        locked.update(range(i, end))
        chosen.append((i, term))
    out = list(run)
    fixes = []
    for i, term in sorted(chosen, key=lambda c: c[0]):
        diff = [k for k, ch in enumerate(term.text) if run[i + k] != ch]
        a, b = diff[0], diff[-1] + 1
        if b - a == 1:  # show a word, not one character: 钢领 → 纲领 rather than 钢 → 纲
            a, b = (a, b + 1) if b < len(term.text) else (a - 1, b)
        fixes.append(TermFix(i + a, run[i + a : i + b], term.text[a:b], term.text))
        out[i : i + len(term.text)] = term.text
    return "".join(out), fixes


def correct_text(text: str, terms: Sequence[str] | None = None) -> CorrectedText:
    """Normalise the punctuation of text and replace confident misrecognitions of terms."""
    heard = normalize_punctuation(text)
    compiled = _compile(tuple(shipped_terms() if terms is None else terms))
    pieces: list[str] = []
    fixes: list[TermFix] = []
    pos = 0
    for m in _HAN.finditer(heard):
        pieces.append(heard[pos : m.start()])
        fixed, found = _correct_run(m.group(), compiled)
        fixes.extend(TermFix(m.start() + f.at, f.heard, f.term, f.entry) for f in found)
        pieces.append(fixed)
        pos = m.end()
    pieces.append(heard[pos:])
    return CorrectedText(text="".join(pieces), heard=heard, fixes=tuple(fixes))


def correct_segments(
    texts: Iterable[str], terms: Sequence[str] | None = None
) -> list[CorrectedText]:
    """Correct each segment's text on its own, so the segment timing stays as it was."""
    return [correct_text(t, terms) for t in texts]


def undo_fix(text: str, fix: TermFix) -> str:
    """Put back what the recogniser heard in place of one fix (when the term is still there)."""
    end = fix.at + len(fix.term)
    if text[fix.at : end] != fix.term:
        raise ValueError("the corrected term is no longer at its place")
    return text[: fix.at] + fix.heard + text[end:]


def hint_terms(terms: Sequence[str], budget: int) -> list[str]:
    """Return the first terms (the lexicon puts the most useful first) within budget chars."""
    out, used = [], 0
    for term in terms:
        if term in out:
            continue
        cost = len(term) + 1  # the separator
        if used + cost > budget:
            continue
        out.append(term)
        used += cost
    return out
