"""Accounts, roles and API tokens."""

from __future__ import annotations

import contextlib
import enum
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from review.clock import now
from review.extensions import Model
from review.models._common import UTCDateTime
from review.models.branch import Branch, reviewer_branches

# Argon2id (argon2-cffi's default type), RFC 9106 low-memory profile.
_hasher = PasswordHasher()


_dummy_hashes: dict[int, str] = {}


def set_hasher(hasher: PasswordHasher) -> None:
    """Replace the password hasher (the tests use cheaper Argon2id parameters)."""
    global _hasher
    _hasher = hasher


def check_password_of_nobody(password: str) -> bool:
    """Spend the time of a real password check, for an unknown or inactive account; False.

    Login then takes as long whether or not the 学号 exists, so timing does not tell.
    """
    dummy = _dummy_hashes.get(id(_hasher))
    if dummy is None:
        dummy = _dummy_hashes[id(_hasher)] = _hasher.hash("no such account, no such password")
    with contextlib.suppress(VerificationError, InvalidHashError):
        _hasher.verify(dummy, password)
    return False


class Role(enum.StrEnum):
    """What a user may do."""

    ACTIVIST = "activist"
    REVIEWER = "reviewer"
    COMMITTEE = "committee"
    ADMIN = "admin"


class User(UserMixin, Model):
    """A person who logs in: activist, reviewer, committee member or admin."""

    __tablename__ = "users"
    # The committee's dashboard counts and lists the active activists per branch by username:
    # covered, no table read per activist.
    __table_args__ = (
        Index("ix_users_role_active_branch", "role", "active", "branch_id", "username"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)  # 学号 / 工号
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))  # optional, for notifications
    role: Mapped[str] = mapped_column(String(16), index=True)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of the id in the session cookie: raising it ends every session signed before.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    branch: Mapped[Branch | None] = relationship(foreign_keys=[branch_id])
    reviewer_of: Mapped[list[Branch]] = relationship(secondary=reviewer_branches)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def get_id(self) -> str:
        """Return the session's user id: the row id and the session version, e.g. `7.2`."""
        return f"{self.id}.{self.session_version or 0}"

    def end_sessions(self) -> None:
        """Invalidate every session cookie of this user (the caller commits)."""
        self.session_version = (self.session_version or 0) + 1

    def set_password(self, password: str) -> None:
        """Store an Argon2id hash of password."""
        self.password_hash = _hasher.hash(password)

    def check_password(self, password: str) -> bool:
        """Tell whether password matches the stored hash."""
        try:
            return _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def has_role(self, *roles: Role | str) -> bool:
        """Tell whether the user has one of roles."""
        return self.role in {Role(r).value for r in roles}

    def reviewable_branch_ids(self) -> set[int]:
        """Return the ids of the branches this reviewer is assigned to."""
        return {b.id for b in self.reviewer_of}


class ApiToken(Model):
    """A bearer token for /api/v1/; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
