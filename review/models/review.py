"""Reviews: per-criterion scores, notes and time-coded comments."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from review.clock import now
from review.extensions import Model
from review.models._common import UTCDateTime


class ReviewState(enum.StrEnum):
    """A review is a draft until the reviewer submits it."""

    DRAFT = "draft"
    SUBMITTED = "submitted"


class Review(Model):
    """One reviewer's review of one submission version."""

    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("reviewer_id", "version_id"),
        # The dashboard counts each version's submitted reviews (overdue, double marking) and
        # samples the newest submitted ones: both from the index alone.
        Index("ix_reviews_version_id_state", "version_id", "state"),
        Index("ix_reviews_state_submitted_at", "state", "submitted_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("submission_versions.id"), index=True)
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_versions.id"))
    state: Mapped[str] = mapped_column(String(16), default=ReviewState.DRAFT.value)
    overall_comment: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(Integer, default=0)  # optimistic lock for autosave
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)

    scores: Mapped[list[Score]] = relationship(cascade="all, delete-orphan")
    comments: Mapped[list[Comment]] = relationship(
        cascade="all, delete-orphan", order_by="Comment.at_seconds"
    )
    fields: Mapped[list[DraftField]] = relationship(cascade="all, delete-orphan")


class Score(Model):
    """Points and a note for one criterion in one review."""

    __tablename__ = "scores"
    __table_args__ = (UniqueConstraint("review_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"))
    points: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str] = mapped_column(Text, default="")


class Comment(Model):
    """A comment pinned to a moment of the video."""

    __tablename__ = "comments"
    __table_args__ = (UniqueConstraint("review_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    # Chosen by the page that pinned it, so a save repeated after a reload writes it once.
    client_id: Mapped[str] = mapped_column(String(40), default=lambda: uuid.uuid4().hex)
    at_seconds: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    visible_to_activist: Mapped[bool] = mapped_column(Boolean, default=False)
    # The criterion it is about (its colour on the timeline); None: a general remark.
    criterion_id: Mapped[int | None] = mapped_column(ForeignKey("criteria.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class DraftField(Model):
    """The revision of one field of a draft review, and which page wrote it last.

    Fields are `overall`, `points:<criterion>`, `note:<criterion>` and `comment:<client id>`
    (a deleted comment keeps its row here, so a late copy of its creation cannot revive it).
    A write from the page that wrote the field last applies when its sequence number is newer;
    any other write applies only on top of the revision it was based on (see services/drafts.py).
    """

    __tablename__ = "draft_fields"

    review_id: Mapped[int] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True
    )
    field: Mapped[str] = mapped_column(String(64), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    writer: Mapped[str] = mapped_column(String(40), default="")
    seq: Mapped[int] = mapped_column(Integer, default=0)
