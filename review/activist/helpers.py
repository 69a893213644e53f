"""Helpers shared by the activist's route modules."""

from __future__ import annotations

from flask_login import current_user

from review.access import get_submission_or_404, visible_submissions
from review.extensions import db
from review.models import Submission


def get_own_submission(period_id: int) -> Submission | None:
    """Return the caller's submission for a period, or None when there is none yet."""
    submission = db.session.scalar(
        visible_submissions(current_user).where(
            Submission.period_id == period_id, Submission.activist_id == current_user.id
        )
    )
    return get_submission_or_404(submission.id) if submission is not None else None
