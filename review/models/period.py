"""Reporting periods and versioned rubrics."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from review.clock import now
from review.extensions import Model
from review.models._common import UTCDateTime


class Rubric(Model):
    """A named rubric; its content lives in versions."""

    __tablename__ = "rubrics"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    versions: Mapped[list[RubricVersion]] = relationship(
        back_populates="rubric", order_by="RubricVersion.number"
    )


class RubricVersion(Model):
    """One version of a rubric; frozen once any review uses it."""

    __tablename__ = "rubric_versions"
    __table_args__ = (UniqueConstraint("rubric_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=1)
    frozen: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    rubric: Mapped[Rubric] = relationship(back_populates="versions")
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="rubric_version", order_by="Criterion.position"
    )

    @property
    def max_total(self) -> int:
        """Return the sum of the criteria's maximum points."""
        return sum(c.max_points for c in self.criteria)


class Criterion(Model):
    """A rubric criterion with its maximum points and level descriptors."""

    __tablename__ = "criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_versions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(100))
    max_points: Mapped[int] = mapped_column(Integer)
    descriptors: Mapped[list] = mapped_column(JSON, default=list)
    # One per descriptor, in the same order: [low, high] points, or None for a level without one.
    bands: Mapped[list] = mapped_column(JSON, default=list)

    rubric_version: Mapped[RubricVersion] = relationship(back_populates="criteria")

    @property
    def levels(self) -> list[dict]:
        """Return each level descriptor with its band: {text, low, high} (None: no band)."""
        out = []
        for n, text in enumerate(self.descriptors or []):
            band = self.bands[n] if n < len(self.bands or []) else None
            low, high = (band[0], band[1]) if band else (None, None)
            out.append({"text": text, "low": low, "high": high})
        return out


FEEDBACK_MODES = ("scores", "marks", "decision")  # what a released result shows the activist


class Period(Model):
    """A reporting period (e.g. 2026年第四季度) with its rubric and rules."""

    __tablename__ = "periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    oath_required: Mapped[bool] = mapped_column(Boolean, default=False)
    double_marking: Mapped[bool] = mapped_column(Boolean, default=False)
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_versions.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    # The committee's settings (review/services/feedback.py, review/services/agreement.py):
    # "scores": agreed marks, reviewers' notes and overall comments, visible time-coded comments;
    # "marks": the same without the reviewers' notes and overall comments (what periods before
    # the setting showed: their reviewers wrote those notes for the committee only);
    # "decision": only the outcome and the committee's opinion.
    feedback_mode: Mapped[str] = mapped_column(
        String(10), default="scores", server_default="scores"
    )
    # Review totals further apart than this fraction of the maximum disagree (None: Config).
    disagreement_threshold: Mapped[float | None] = mapped_column(Float)
    # Suggested decision: total >= pass_min 通过, >= revise_min 需修改, else 不通过 (None: 60%/40%).
    pass_min: Mapped[float | None] = mapped_column(Float)
    revise_min: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    rubric_version: Mapped[RubricVersion] = relationship()
