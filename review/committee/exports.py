"""Committee downloads: export jobs with progress, and single assessment sheets."""

from __future__ import annotations

from pathlib import Path

from flask import (
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from review.access import role_required
from review.api.exports import send_assessment
from review.committee import bp
from review.committee.routes import COMMITTEE
from review.exceptions import HuibaoError
from review.sendfile import send_private
from review.services import audit
from review.services.exports import content_disposition
from review.services.exports.jobs import MIME, export_status, start_export


@bp.route("/periods/<int:period_id>/exports", methods=["POST"])
@role_required(*COMMITTEE)
def create_export(period_id: int) -> ResponseReturnValue:
    """Start an export job and show its progress page."""
    try:
        job_id = start_export(
            current_user.id,
            request.form.get("kind", "xlsx"),
            period_id,
            request.form.get("branch_id", type=int) or None,
            request.remote_addr,
        )
    except HuibaoError as exc:
        flash(str(exc.message), "danger")
        return redirect(url_for("committee.dashboard", period=period_id))
    return redirect(url_for("committee.export", job_id=job_id))


@bp.route("/exports/<job_id>")
@role_required(*COMMITTEE)
def export(job_id: str) -> ResponseReturnValue:
    """A page that polls the export job and offers the file once it is ready."""
    return render_template("committee/export.html", job=export_status(job_id))


@bp.route("/exports/<job_id>/status")
@role_required(*COMMITTEE)
def export_progress(job_id: str) -> ResponseReturnValue:
    """The export job's status as JSON, for the polling page."""
    job = export_status(job_id)
    return jsonify(
        status=job.status,
        progress=job.progress,
        ready=job.path is not None,
        filename=job.filename,
        download=url_for("committee.export_download", job_id=job_id),
    )


@bp.route("/exports/<job_id>/download")
@role_required(*COMMITTEE)
def export_download(job_id: str) -> ResponseReturnValue:
    """Download a finished export under its Chinese file name."""
    job = export_status(job_id)
    if job.path is None:
        flash(_("文件还没有生成好，请稍候。"), "warning")
        return redirect(url_for("committee.export", job_id=job_id))
    audit.record_read(
        current_user.id,
        "period",
        job.period_id,
        f"export:{job_id}"[:80],
        request.remote_addr,
        detail={"kind": job.kind, "branch_id": job.branch_id, "job_id": job_id},
    )
    return send_private(
        Path(job.path),
        MIME[job.kind],
        content_disposition=content_disposition(job.filename, job.fallback),
    )


@bp.route("/submissions/<int:submission_id>/assessment.pdf")
@role_required(*COMMITTEE)
def assessment(submission_id: int) -> ResponseReturnValue:
    """Download one activist's assessment sheet."""
    return send_assessment(submission_id)
