"""Party branches (党支部) and reviewer assignments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from review.clock import now
from review.extensions import Model, db
from review.models._common import UTCDateTime

reviewer_branches = Table(
    "reviewer_branches",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("branch_id", ForeignKey("branches.id", ondelete="CASCADE"), primary_key=True),
)


class Branch(Model):
    """A Party branch with activist members and assigned reviewers."""

    __tablename__ = "branches"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # The branch's group-chat robot: URL, "" to detect the kind from the host, 钉钉's secret.
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    webhook_type: Mapped[str] = mapped_column(String(16), default="", server_default="")
    webhook_secret: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
