"""Who may see what: the one set of helpers every view uses."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import Select, false, select

from review.extensions import db
from review.models import Role, Submission, User


def role_required(*roles: Role) -> Callable:
    """Allow only logged-in users with one of roles (others get 403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def visible_submissions(user: User, stmt: Select | None = None) -> Select:
    """Restrict a submissions query to what user may read."""
    stmt = stmt if stmt is not None else select(Submission)
    if user.has_role(Role.COMMITTEE, Role.ADMIN):
        return stmt
    if user.has_role(Role.REVIEWER):
        branch_ids = user.reviewable_branch_ids()
        return stmt.where(Submission.branch_id.in_(branch_ids) if branch_ids else false())
    return stmt.where(Submission.activist_id == user.id)


def can_read_submission(user: User, submission: Submission) -> bool:
    """Tell whether user may read submission."""
    if user.has_role(Role.COMMITTEE, Role.ADMIN):
        return True
    if user.has_role(Role.REVIEWER):
        return submission.branch_id in user.reviewable_branch_ids()
    return submission.activist_id == user.id


def get_submission_or_404(submission_id: int, user: User | None = None) -> Submission:
    """Return the submission if the user may read it; 404 otherwise (existence not revealed)."""
    user = user or current_user
    submission = db.session.get(Submission, submission_id)
    if submission is None or not user.is_authenticated or not can_read_submission(user, submission):
        abort(404)
    return submission
