"""Who may see what: the one set of rules every view and service uses.

- A version before it is submitted (a draft) is its activist's alone: nobody else reads or
  writes it, whatever their role.
- Activists read their own submissions; reviewers the submitted versions of their branches;
  the committee every submitted version.
- Admins manage accounts, periods, rubrics and queues; they read no report (DESIGN.md).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeGuard

from flask import abort
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import Select, exists, false, select
from sqlalchemy.orm import aliased

from review.extensions import db
from review.models import Role, Submission, SubmissionVersion, User

# Roles that read other people's submitted reports.
READERS = (Role.REVIEWER, Role.COMMITTEE)


def role_required(*roles: Role) -> Callable:
    """Allow only logged-in users with one of roles (others get 403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _authenticated(user: User | None) -> TypeGuard[User]:
    return user is not None and bool(getattr(user, "is_authenticated", False))


def _covers_branch(user: User, branch_id: int | None) -> bool:
    """Tell whether a reader's role reaches a branch (drafts aside)."""
    if user.has_role(Role.COMMITTEE):
        return True
    if user.has_role(Role.REVIEWER):
        return branch_id in user.reviewable_branch_ids()
    return False


def is_owner(user: User | None, submission: Submission) -> bool:
    """Tell whether user is the activist who wrote submission."""
    return _authenticated(user) and submission.activist_id == user.id


def visible_submissions(user: User, stmt: Select | None = None) -> Select:
    """Restrict a submissions query to what user may read.

    Others than the owner see a submission only once one of its versions was submitted.
    """
    stmt = stmt if stmt is not None else select(Submission)
    if not _authenticated(user):
        return stmt.where(false())
    if user.has_role(Role.ACTIVIST):
        return stmt.where(Submission.activist_id == user.id)
    sent = aliased(SubmissionVersion)  # the query may join versions itself
    submitted = (
        exists()
        .where(sent.submission_id == Submission.id, sent.submitted_at.is_not(None))
        .correlate(Submission)
    )
    if user.has_role(Role.COMMITTEE):
        return stmt.where(submitted)
    if user.has_role(Role.REVIEWER):
        branch_ids = user.reviewable_branch_ids()
        if not branch_ids:
            return stmt.where(false())
        return stmt.where(Submission.branch_id.in_(branch_ids), submitted)
    return stmt.where(false())  # admins and unknown roles read no report


def readable_version(user: User | None, submission: Submission) -> SubmissionVersion | None:
    """Return the version of submission that user reads, or None when they may read none.

    The owner reads the newest version, draft or not; readers the newest submitted one.
    """
    if not _authenticated(user):
        return None
    if is_owner(user, submission):
        return submission.current
    if not _covers_branch(user, submission.branch_id):
        return None
    return submission.latest_submitted


def can_read_submission(user: User | None, submission: Submission) -> bool:
    """Tell whether user may read submission (some version of it)."""
    return readable_version(user, submission) is not None


def can_read_version(user: User | None, version: SubmissionVersion) -> bool:
    """Tell whether user may read this particular version."""
    if not _authenticated(user):
        return False
    if is_owner(user, version.submission):
        return True
    return version.frozen and _covers_branch(user, version.submission.branch_id)


def comparable_versions(user: User | None, submission: Submission) -> list[SubmissionVersion]:
    """Return the versions of submission that user may put side by side, oldest first.

    Only submitted versions are compared, whoever asks: a draft stays its activist's alone,
    and a reader reaches none unless their role covers the branch.
    """
    return [v for v in submission.versions if v.frozen and can_read_version(user, v)]


def can_write_version(user: User | None, version: SubmissionVersion) -> bool:
    """Tell whether user may change what a version shows (its paper, video, transcript).

    The owner changes only a draft; readers (reviewers of the branch, the committee) only a
    submitted version, e.g. by correcting its transcript.
    """
    if not _authenticated(user):
        return False
    if is_owner(user, version.submission):
        return not version.frozen
    return version.frozen and _covers_branch(user, version.submission.branch_id)


def can_download_paper_original(user: User | None) -> bool:
    """Tell whether a user may download an original paper file (the committee's export).

    Reviewers read the paper report only as page images with their identity burned in.
    """
    return _authenticated(user) and user.has_role(Role.COMMITTEE)


def get_submission_or_404(submission_id: int, user: User | None = None) -> Submission:
    """Return the submission if the user may read it; 404 otherwise (existence not revealed)."""
    user = user or current_user
    submission = db.session.get(Submission, submission_id)
    if submission is None or not can_read_submission(user, submission):
        abort(404)
    return submission


def get_version_or_404(submission_id: int, user: User | None = None) -> SubmissionVersion:
    """Return the version of a submission that the user reads (readable_version); 404 if none."""
    user = user or current_user
    submission = db.session.get(Submission, submission_id)
    version = readable_version(user, submission) if submission is not None else None
    if version is None:
        abort(404)
    return version
