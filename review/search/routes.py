"""The search page (hits open the submission at their moment) and a submission's analysis hints."""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.routing import BuildError

from review.access import get_version_or_404, role_required
from review.exceptions import ValidationError
from review.models import Role
from review.search import bp
from review.services import audit
from review.services import search as service
from review.services.analyses import analyses_json


def hit_url(hit: service.Hit) -> str:
    """Return the reviewer page of a hit's submission, at the hit's moment of the video."""
    args: dict[str, Any] = {"t": f"{hit.start:g}"} if hit.start is not None else {}
    try:
        return url_for(
            "reviews.show",
            submission_id=hit.submission_id,
            **args,
            _anchor=None if args else "paper",
        )
    except BuildError:  # the review page is not registered in this app
        query = f"?t={args['t']}" if args else "#paper"
        return f"/reviews/{hit.submission_id}{query}"


@bp.get("/")
@role_required(Role.REVIEWER, Role.COMMITTEE)
def index() -> ResponseReturnValue:
    """Search the transcripts and paper reports the user may read."""
    query = request.args.get("q", "").strip()
    hits, error = [], None
    if query:
        try:
            hits = service.search(current_user.id, query)
        except ValidationError as exc:
            error = exc.message
    return render_template(
        "search/index.html", query=query, hits=hits, error=error, hit_url=hit_url
    )


@bp.get("/analyses/<int:submission_id>")
@role_required(Role.REVIEWER, Role.COMMITTEE)
def analyses(submission_id: int) -> ResponseReturnValue:
    """Show the analysis hints of the version the user reads, with their evidence."""
    version = get_version_or_404(submission_id)
    audit.record_read(
        current_user.id,
        "submission",
        submission_id,
        f"analyses:{version.id}",
        ip=request.remote_addr,
    )

    def seek_url(t: float) -> str:
        return hit_url(service.Hit(submission_id, "transcript", "", "", "", t, "", ""))

    return render_template(
        "search/analyses.html",
        submission=version.submission,
        analyses=analyses_json(version),
        seek_url=seek_url,
    )
