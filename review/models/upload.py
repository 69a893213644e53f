"""A tus upload in progress; the bytes live in a partial file named by id."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from review.clock import now
from review.extensions import Model
from review.models._common import UTCDateTime


class Upload(Model):
    """Server-side state of one tus upload."""

    __tablename__ = "uploads"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random hex, used in URLs
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    period_id: Mapped[int | None] = mapped_column(ForeignKey("periods.id"))
    length: Mapped[int] = mapped_column(BigInteger)
    offset: Mapped[int] = mapped_column(BigInteger, default=0)
    filename: Mapped[str] = mapped_column(String(255), default="")
    meta: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    video_id: Mapped[int | None] = mapped_column(ForeignKey("videos.id"))
