"""The paper-report page: typed text (autosaved), or a PDF, a DOCX or page photos."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from review import clock
from review.access import role_required
from review.activist import bp
from review.activist.helpers import get_own_submission
from review.exceptions import HuibaoError
from review.extensions import db
from review.limits import body_limit
from review.models import Period, Role
from review.services import papers, quotas, revisions, submissions

FORM_SLACK = 64 * 1024  # multipart boundaries and fields around the files


def _back(period_id: int):  # noqa: ANN202
    return redirect(url_for("activist.paper", period_id=period_id))


@bp.route("/periods/<int:period_id>/paper")
@role_required(Role.ACTIVIST)
def paper(period_id: int) -> ResponseReturnValue:
    """Show the paper report of the current version, editable while it is a draft."""
    period = db.session.get(Period, period_id) or abort(404)
    submission = get_own_submission(period_id)
    version = submission.current if submission else None
    is_open = period.opens_at <= clock.now() <= period.closes_at
    if version is None and not is_open:
        abort(404)
    editable = is_open and (version is None or not version.frozen)
    return render_template(
        "activist/paper.html",
        period=period,
        version=version,
        editable=editable,
        previous=submissions.revision_feedback(version) if version else None,
        redo=revisions.redo_status(version) if version else None,
        limits={k: papers.limit(k) for k in papers.DEFAULTS},
    )


@bp.post("/periods/<int:period_id>/paper/text")
@role_required(Role.ACTIVIST)
def save_paper_text(period_id: int) -> ResponseReturnValue:
    """Save the typed text (the form's button; the page also autosaves through the API)."""
    try:
        papers.save_text(current_user.id, period_id, request.form.get("text", ""))
    except HuibaoError as exc:
        flash(str(exc.message), "danger")
        return _back(period_id)
    flash(_("书面汇报已保存。"), "success")
    return redirect(url_for("activist.report", period_id=period_id))


def _files_most() -> int:
    if request.args.get("kind", "document") == "document":
        return papers.limit("PAPER_MAX_BYTES")
    return papers.limit("PHOTO_MAX_BYTES") * papers.limit("PAPER_MAX_PHOTOS")


def _files_too_large(limit: int) -> ResponseReturnValue:
    # Refused before the body is read: nothing large is spooled to disk.
    flash(
        _("文件总大小超过上限（%(mb)d MB），请压缩后再上传。", mb=_files_most() // 2**20), "danger"
    )
    return _back((request.view_args or {})["period_id"])


@bp.post("/periods/<int:period_id>/paper/file")
@body_limit(lambda: _files_most() + FORM_SLACK, refuse=_files_too_large)
@role_required(Role.ACTIVIST)
def upload_paper(period_id: int) -> ResponseReturnValue:
    """Store a PDF or DOCX, or 1–10 page photos, as the paper report."""
    kind = request.args.get("kind", "document")
    # Not caught below: the app's handler answers 507 with the Chinese reason.
    quotas.ensure_free_space(request.content_length)
    try:
        if kind == "photos":
            files = [
                papers.Upload(f.filename or "", f.read())
                for f in request.files.getlist("photos")
                if f.filename
            ]
            papers.save_photos(current_user.id, period_id, files)
            done = _("手写稿照片已上传。")
        else:
            upload = request.files.get("document")
            if upload is None or not upload.filename:
                flash(_("请先选择要上传的 PDF 或 Word（.docx）文件。"), "danger")
                return _back(period_id)
            papers.save_document(
                current_user.id, period_id, papers.Upload(upload.filename, upload.read())
            )
            done = _("书面汇报文件已上传。")
    except HuibaoError as exc:
        flash(str(exc.message), "danger")
        return _back(period_id)
    flash(done, "success")
    return redirect(url_for("activist.report", period_id=period_id))


@bp.post("/periods/<int:period_id>/paper/remove")
@role_required(Role.ACTIVIST)
def remove_paper(period_id: int) -> ResponseReturnValue:
    """Remove the draft's paper report."""
    try:
        papers.clear_paper(current_user.id, period_id)
    except HuibaoError as exc:
        flash(str(exc.message), "danger")
    else:
        flash(_("书面汇报已删除，请重新填写或上传。"), "info")
    return _back(period_id)
