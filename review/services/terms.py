"""The Party-term lexicon (shipped + this installation's changes) and its use on transcripts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from media.terms import correct_segments, hint_terms, shipped_terms
from review.exceptions import ValidationError
from review.extensions import db
from review.models import LexiconTerm
from review.services import audit

if TYPE_CHECKING:
    from media.asr import Segment

MAX_TERM = 30
_TERM_RE = re.compile(r"^[\u3400-\u9fff][\u3400-\u9fff、，]*[\u3400-\u9fff]$")


@dataclass(frozen=True)
class FixedSegment:
    """A machine segment after term correction, ready to store."""

    start: float
    end: float
    text: str  # what is shown
    heard: str  # what the recogniser heard (punctuation normalised)
    fixes: list[dict]


def get_lexicon() -> list[str]:
    """Return the terms in force: this installation's additions first, then the shipped ones."""
    rows = db.session.scalars(select(LexiconTerm).order_by(LexiconTerm.id)).all()
    removed = {r.term for r in rows if r.removed}
    added = [r.term for r in rows if not r.removed]
    return [t for t in dict.fromkeys(added + shipped_terms()) if t not in removed]


def correct_transcript(segments: Sequence[Segment]) -> list[FixedSegment]:
    """Correct Party terms in machine segments (the one place every stored transcript passes).

    Only segments fresh from the recogniser come here: a human-corrected segment is never
    handed in, so it is never changed.
    """
    terms = get_lexicon() if current_app.config["TERM_CORRECTION"] else []
    fixed = correct_segments([s.text for s in segments], terms)
    return [
        FixedSegment(s.start, s.end, c.text, c.heard, [f.as_dict() for f in c.fixes])
        for s, c in zip(segments, fixed, strict=True)
    ]


def whisper_hints() -> dict[str, str | None]:
    """Return the initial prompt and hot-words to give Whisper (config + lexicon)."""
    cfg = current_app.config
    budget = cfg["WHISPER_HOTWORDS_CHARS"]
    hotwords = "，".join(hint_terms(get_lexicon(), budget)) if budget > 0 else ""
    return {"initial_prompt": cfg["WHISPER_PROMPT"] or None, "hotwords": hotwords or None}


def _clean(term: str) -> str:
    term = "".join(str(term or "").split()).replace(",", "，")
    if not term:
        raise ValidationError(_l("请填写术语。"))
    if len(term) > MAX_TERM:
        raise ValidationError(_l("术语太长了（最多 %(n)d 个字）。", n=MAX_TERM))
    if not _TERM_RE.match(term):
        raise ValidationError(_l("术语只能由两个以上汉字组成（可用顿号、逗号分隔）。"))
    return term


def add_term(admin_id: int, term: str) -> str:
    """Add a term to this installation's lexicon (or put a removed shipped term back)."""
    term = _clean(term)
    row = db.session.scalar(select(LexiconTerm).where(LexiconTerm.term == term))
    if row is not None and row.removed:
        db.session.delete(row)
    elif row is None and term not in shipped_terms():
        db.session.add(LexiconTerm(term=term, created_by=admin_id))
    audit.record(admin_id, "lexicon.add", "lexicon", term, commit=False)
    db.session.commit()
    return term


def remove_term(admin_id: int, term: str) -> str:
    """Take a term out of the lexicon: an added one is deleted, a shipped one is marked removed."""
    term = _clean(term)
    row = db.session.scalar(select(LexiconTerm).where(LexiconTerm.term == term))
    if row is not None and not row.removed:
        db.session.delete(row)
    elif row is None and term in shipped_terms():
        db.session.add(LexiconTerm(term=term, removed=True, created_by=admin_id))
    elif row is None:
        raise ValidationError(_l("术语表里没有“%(term)s”。", term=term))
    audit.record(admin_id, "lexicon.remove", "lexicon", term, commit=False)
    db.session.commit()
    return term


def lexicon_changes() -> tuple[list[LexiconTerm], list[LexiconTerm]]:
    """Return this installation's added terms and removed shipped terms, newest first."""
    rows = db.session.scalars(select(LexiconTerm).order_by(LexiconTerm.id.desc())).all()
    return [r for r in rows if not r.removed], [r for r in rows if r.removed]
