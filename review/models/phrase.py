"""The comment library (常用评语): phrases a reviewer reuses, their own or shared with a branch."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from review.clock import now
from review.extensions import Model
from review.models._common import UTCDateTime


class CommentPhrase(Model):
    """A reusable comment, filed under a criterion title (None: any criterion).

    Criteria are keyed by title, not id: a rubric's new version makes new criterion rows, and
    the phrases a reviewer wrote for 入党动机 still belong to 入党动机. `branch_id` set: the
    owner shared it with that branch's reviewers.
    """

    __tablename__ = "comment_phrases"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    branch_id: Mapped[int | None] = mapped_column(
        ForeignKey("branches.id", ondelete="CASCADE"), index=True
    )
    criterion: Mapped[str | None] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
