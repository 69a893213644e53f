"""The committee's agreed result for a submission and the history of its changes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from review.clock import now
from review.extensions import Model
from review.models._common import UTCDateTime

OUTCOMES = ("pass", "revise", "fail")  # 通过 / 需修改 / 不通过
REDO_SCOPES = ("video", "paper", "both")  # what a 需修改 asks to redo


class Decision(Model):
    """Agreed marks and outcome for one submission version; visible once released."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("submission_versions.id"), unique=True)
    outcome: Mapped[str | None] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text, default="")
    redo: Mapped[str | None] = mapped_column(String(10))  # REDO_SCOPES, with outcome "revise"
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the activist's first look
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)

    marks: Mapped[list[AgreedMark]] = relationship(cascade="all, delete-orphan")


class AgreedMark(Model):
    """The committee's agreed points for one criterion."""

    __tablename__ = "agreed_marks"
    __table_args__ = (UniqueConstraint("decision_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"))
    points: Mapped[float] = mapped_column(Float)


class DecisionChange(Model):
    """Who changed a decision, when, and the values before and after."""

    __tablename__ = "decision_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), index=True)
    changed_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    before: Mapped[dict] = mapped_column(JSON, default=dict)
    after: Mapped[dict] = mapped_column(JSON, default=dict)
