"""This installation's changes to the shipped Party-term lexicon."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from review.clock import now
from review.extensions import Model
from review.models._common import UTCDateTime


class LexiconTerm(Model):
    """A term an admin added, or (removed=True) a shipped term an admin took out."""

    __tablename__ = "lexicon_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    term: Mapped[str] = mapped_column(String(40), unique=True)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
