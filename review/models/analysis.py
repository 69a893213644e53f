"""Analysis results per submission version, similarity signatures and the search indexes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from review.clock import now
from review.extensions import Model
from review.models._common import UTCDateTime
from review.models.media_asset import TranscriptSegment
from review.models.submission import SubmissionVersion


class Analysis(Model):
    """One analysis (oath, similar, consistency or speech) of a version: a hint, never a score."""

    __tablename__ = "analyses"
    __table_args__ = (UniqueConstraint("version_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("submission_versions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    data: Mapped[Any] = mapped_column(JSON, default=dict)  # a JSON object or list
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)


class TextSignature(Model):
    """The MinHash signature of a version's paper report or transcript (kind paper|transcript)."""

    __tablename__ = "text_signatures"
    __table_args__ = (UniqueConstraint("version_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("submission_versions.id", ondelete="CASCADE"), index=True
    )
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), index=True)
    activist_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    chars: Mapped[int] = mapped_column(Integer, default=0)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class SignatureBand(Model):
    """One LSH band key of a signature; equal keys make two texts candidates."""

    __tablename__ = "signature_bands"

    signature_id: Mapped[int] = mapped_column(
        ForeignKey("text_signatures.id", ondelete="CASCADE"), primary_key=True
    )
    band: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    key: Mapped[int] = mapped_column(BigInteger, index=True)


# PostgreSQL substring search uses pg_trgm GIN indexes on the searched columns. SQLite keeps
# its FTS5 trigram index in a file of its own (review/services/search.py), so there these
# indexes are declared empty (WHERE 0) and cost nothing.
Index(
    "ix_transcript_segments_text_trgm",
    TranscriptSegment.__table__.c.text,
    postgresql_using="gin",
    postgresql_ops={"text": "gin_trgm_ops"},
    sqlite_where=text("0"),
)
Index(
    "ix_submission_versions_paper_text_trgm",
    SubmissionVersion.__table__.c.paper_text,
    postgresql_using="gin",
    postgresql_ops={"paper_text": "gin_trgm_ops"},
    sqlite_where=text("0"),
)
