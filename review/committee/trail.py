"""The committee's audit page: who has seen a report (or what a user has seen), when, from where."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from review.access import role_required
from review.committee import bp
from review.committee.routes import COMMITTEE
from review.extensions import db
from review.models import Submission, User
from review.services import audit

PAGE = 500


@bp.route("/audit")
@role_required(*COMMITTEE)
def audit_trail() -> ResponseReturnValue:
    """List audit events, newest first, for a submission and/or a user (学号/工号)."""
    submission_id = request.args.get("submission", type=int)
    username = (request.args.get("user") or "").strip()
    submission = db.session.get(Submission, submission_id) if submission_id else None
    user = db.session.scalar(select(User).where(User.username == username)) if username else None
    missing = (submission_id is not None and submission is None) or (bool(username) and not user)
    entries = (
        []
        if missing
        else audit.history(
            submission.id if submission else None, user.id if user else None, limit=PAGE
        )
    )
    return render_template(
        "committee/audit.html",
        entries=entries,
        submission=submission,
        submission_id=submission_id,
        username=username,
        missing=missing,
        page=PAGE,
        window_minutes=round(audit.read_window().total_seconds() / 60),
    )
