"""The evidence on the committee's decide page: the reviewer page's panes, read-only."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from review import clock
from review.models import SubmissionVersion
from review.reviews.page import page_context
from review.services import audit
from review.services.analyses import analyses_json


def evidence_context(version: SubmissionVersion) -> dict:
    """Return the player, transcript, paper and hints context for the version, read-only.

    Audited as the review page is: the page shows the transcript and the paper text.
    """
    audit.record_read(
        current_user.id,
        "submission",
        version.submission_id,
        f"page:{version.id}",
        ip=request.remote_addr,
        commit=False,
    )
    context = page_context(version, None, current_user, clock.now())
    state = dict(context["state"], editable=False, can_correct=False)
    state["urls"] = {}  # nothing on the decide page writes to the reviews routes
    return {
        **context,
        "state": state,
        "analyses": analyses_json(version),
        "seek_url": lambda t: f"#t={t:.1f}",
    }
