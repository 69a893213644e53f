"""Submissions (one per activist and period) and their frozen versions."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from review.clock import now
from review.extensions import Model
from review.models._common import UTCDateTime
from review.models.period import Period
from review.models.user import User


class SubmissionState(enum.StrEnum):
    """The submission workflow (DESIGN.md)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    REVIEWED = "reviewed"
    RELEASED = "released"
    NEEDS_REVISION = "needs_revision"


class Submission(Model):
    """An activist's report for one period; resubmission adds versions."""

    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("activist_id", "period_id"),
        # the queue and the lists filter by branch and state: covered, no table read per row
        Index("ix_submissions_branch_id_state", "branch_id", "state"),
        # the dashboard counts a period's submissions by branch and state
        Index("ix_submissions_period_branch_state", "period_id", "branch_id", "state"),
        # The committee's release list pages, counts, filters and sorts a period on these
        # (review/services/release_list.py), reading no table row but the page's.
        Index("ix_submissions_release_branch", "period_id", "branch_id", "id", "state"),
        Index(
            "ix_submissions_release_total", "period_id", "list_total", "branch_id", "id", "state"
        ),
        Index(
            "ix_submissions_release_difference",
            "period_id",
            "review_difference",
            "branch_id",
            "id",
            "state",
        ),
        Index(
            "ix_submissions_release_decision",
            "period_id",
            "decision_rank",
            "list_total",
            "branch_id",
            "id",
            "state",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activist_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("periods.id"), index=True)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default=SubmissionState.DRAFT.value, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)
    # The release list's figures of the current version, kept by services/figures.py only:
    # how far apart its first two submitted reviews' totals are, its agreed total else the
    # reviewers' mean, and agreement.DECISION_ORDER of its decision (0: undecided).
    review_difference: Mapped[float | None] = mapped_column(Float)
    list_total: Mapped[float | None] = mapped_column(Float)
    decision_rank: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    activist: Mapped[User] = relationship()
    period: Mapped[Period] = relationship()
    versions: Mapped[list[SubmissionVersion]] = relationship(
        back_populates="submission", order_by="SubmissionVersion.number"
    )

    @property
    def current(self) -> SubmissionVersion | None:
        """Return the newest version."""
        return self.versions[-1] if self.versions else None

    @property
    def latest_submitted(self) -> SubmissionVersion | None:
        """Return the newest submitted version (what anyone but the activist may read)."""
        return next((v for v in reversed(self.versions) if v.submitted_at is not None), None)


class SubmissionVersion(Model):
    """One version of a submission: a video and a paper report, frozen when submitted."""

    __tablename__ = "submission_versions"
    __table_args__ = (
        UniqueConstraint("submission_id", "number"),
        # The queue joins the newest submitted version and sorts by its time: these cover it,
        # so the wide rows (paper text) are read only for the page shown.
        Index(
            "ix_submission_versions_queue", "submission_id", "number", "submitted_at", "video_id"
        ),
        # Also covers the dashboard's overdue count (the newest version, its time and video):
        # SQLite picks it for the time range and would otherwise read each wide row.
        Index(
            "ix_submission_versions_submitted",
            "submission_id",
            "submitted_at",
            "number",
            "video_id",
        ),
        # the dashboard finds the versions of the (few) failed videos
        Index("ix_submission_versions_video_id", "video_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    number: Mapped[int] = mapped_column(Integer, default=1)
    video_id: Mapped[int | None] = mapped_column(ForeignKey("videos.id"))
    paper_kind: Mapped[str | None] = mapped_column(String(10))  # text, pdf, docx, photos
    paper_text: Mapped[str] = mapped_column(Text, default="")
    # What the activist typed, kept when a file becomes the report, so they can switch back.
    typed_text: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    submission: Mapped[Submission] = relationship(back_populates="versions")
    video = relationship("Video", foreign_keys=[video_id])
    paper_files: Mapped[list[PaperFile]] = relationship(order_by="PaperFile.position")

    @property
    def has_paper(self) -> bool:
        """Tell whether this version holds a paper report (non-empty text or stored files)."""
        if not self.paper_kind:
            return False
        if self.paper_kind == "text":
            return bool(self.paper_text.strip())
        return bool(self.paper_files)

    @property
    def frozen(self) -> bool:
        """Tell whether this version was submitted and may no longer change."""
        return self.submitted_at is not None


class PaperFile(Model):
    """A stored file of the paper report: a PDF, a DOCX or one page photo."""

    __tablename__ = "paper_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("submission_versions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(500))
    original_name: Mapped[str] = mapped_column(String(255), default="")
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
