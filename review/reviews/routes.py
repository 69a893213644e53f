"""Routes of the reviews blueprint: the queue, the review page, autosave and submit."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from review import clock
from review.access import (
    comparable_versions,
    get_submission_or_404,
    get_version_or_404,
    role_required,
)
from review.errors import error_response
from review.exceptions import ConflictError, HuibaoError, PermissionDeniedError
from review.extensions import db
from review.labels import label
from review.models import Period, Review, Role, SubmissionVersion
from review.reviews import bp
from review.reviews.guards import json_error, json_refusal, staff_only
from review.reviews.page import page_context, text_pieces
from review.services import audit, drafts, revisions
from review.services.analyses import analyses_json
from review.services.media_errors import FLAGS, flag_label
from review.services.pagination import CursorError
from review.services.reviews import corrections, editing, queue

QUEUE_PAGE = 50


@bp.errorhandler(400)
@bp.errorhandler(403)
@bp.errorhandler(404)
def _refusal(exc: HTTPException) -> ResponseReturnValue:
    if request.is_json or request.accept_mimetypes.best == "application/json":
        return json_refusal(exc.code or 500)
    return error_response(exc.code or 500)


@bp.get("/")
@role_required(Role.REVIEWER)
def index() -> ResponseReturnValue:
    """The reviewer's queue: their branches' submissions, oldest first, with filters."""
    filters = queue.QueueFilters(
        period_id=request.args.get("period", type=int),
        state=request.args.get("state", "todo"),
        overdue=request.args.get("overdue") == "1",
        flag=request.args.get("flag") if request.args.get("flag") in FLAGS else None,
    )
    after = request.args.get("after") or None
    try:
        page = queue.list_queue(current_user.id, filters, limit=QUEUE_PAGE, after=after)
    except CursorError:  # a mangled or stale link: start again from the first page
        flash(_("分页链接已失效，已回到第一页。"), "info")
        return redirect(url_for("reviews.index", **filters_args(filters)))
    periods = list(db.session.scalars(select(Period).order_by(Period.opens_at.desc())))
    flags = {code: flag_label(code) for code in FLAGS}
    return render_template(
        "reviews/index.html",
        page=page,
        state_labels={s: label("submission", s) for s in queue.QUEUE_STATES},
        first_page=after is None,
        filter_args=filters_args(filters),
        filters=filters,
        periods=periods,
        flags=flags,
        branches=current_user.reviewer_of,
        overdue_days=queue.OVERDUE_DAYS,
    )


def filters_args(filters: queue.QueueFilters) -> dict[str, Any]:
    """Return the query arguments that reproduce filters (for page links)."""
    args: dict[str, Any] = {"state": filters.state}
    if filters.period_id:
        args["period"] = str(filters.period_id)
    if filters.overdue:
        args["overdue"] = "1"
    if filters.flag:
        args["flag"] = filters.flag
    return args


@bp.get("/next")
@role_required(Role.REVIEWER)
def next_ungraded() -> ResponseReturnValue:
    """Open the oldest submission the reviewer has not scored yet."""
    target = queue.next_ungraded(current_user.id, exclude_id=request.args.get("after", type=int))
    if target is None:
        flash(_("太好了，目前没有待您评分的汇报了。"), "success")
        return redirect(url_for("reviews.index"))
    return redirect(url_for("reviews.show", submission_id=target))


@bp.get("/<int:submission_id>")
@role_required(Role.REVIEWER, Role.COMMITTEE)
def show(submission_id: int) -> ResponseReturnValue:
    """The review page: video, synced transcript, paper report and the rubric."""
    # one submission, eagerly, first
    submission = queue.load_submission(submission_id) or abort(404)
    version = get_version_or_404(submission_id)  # found in the identity map; a draft: 404
    review, notice = None, None
    if current_user.has_role(Role.REVIEWER):
        try:
            review = editing.claim(current_user.id, submission_id, commit=False)
        except (ConflictError, PermissionDeniedError) as exc:
            notice = str(exc.message)
    else:
        notice = _("您以党委身份查看，只能阅览，不能在此评分。")
    audit.record_read(  # the page shows the transcript and the paper text
        current_user.id,
        "submission",
        submission.id,
        f"page:{version.id}",
        ip=request.remote_addr,
        commit=False,
    )
    context = page_context(version, review, current_user, clock.now(), analyses_json(version))
    html = render_template(
        "reviews/show.html", notice=notice, seek_url=lambda t: f"#t={t:.1f}", **context
    )
    db.session.commit()  # once, after rendering: a commit would expire what the page shows
    return html, 200, {"Cache-Control": "private, no-store"}


@bp.get("/<int:submission_id>/compare")
@role_required(Role.REVIEWER, Role.COMMITTEE)
def compare(submission_id: int) -> ResponseReturnValue:
    """The two newest submitted versions side by side: paper text changes, same or new video."""
    submission = get_submission_or_404(submission_id)
    versions = comparable_versions(current_user, submission)
    comparison = revisions.compare(versions[-2], versions[-1]) if len(versions) > 1 else None
    if comparison is not None:
        audit.record_read(
            current_user.id,
            "submission",
            submission.id,
            f"compare:{comparison.before.id}:{comparison.after.id}",
            ip=request.remote_addr,
            commit=False,
        )
    html = render_template(
        "reviews/compare.html",
        submission=submission,
        comparison=comparison,
        redo_label=revisions.redo_label,
    )
    db.session.commit()
    return html, 200, {"Cache-Control": "private, no-store"}


def _draft_args() -> tuple[int, list]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise HuibaoError(_("评分数据格式不正确，请刷新页面后重试。"))
    try:
        review_id = int(data["review_id"])
    except (KeyError, TypeError, ValueError):
        raise HuibaoError(_("评分数据缺少草稿编号，请刷新页面后重试。")) from None
    return review_id, drafts.parse_changes(data.get("changes"))


@bp.post("/<int:submission_id>/draft")
@staff_only
def save(submission_id: int) -> ResponseReturnValue:
    """Autosave the reviewer's changes (JSON), merged field by field; conflicts come back."""
    get_submission_or_404(submission_id)
    try:
        review_id, changes = _draft_args()
        _check_review_of(review_id, submission_id)
        result = editing.autosave(current_user.id, review_id, changes)
    except HuibaoError as exc:
        return json_error(exc)
    return jsonify(
        revision=result.review.revision,
        fields=result.revisions,
        conflicts=result.conflicts,
        saved_at=result.review.updated_at.isoformat(),
    )


@bp.post("/<int:submission_id>/submit")
@staff_only
def submit(submission_id: int) -> ResponseReturnValue:
    """Submit the reviewer's review (JSON) and name the next submission to score."""
    get_submission_or_404(submission_id)
    try:
        review_id, changes = _draft_args()
        _check_review_of(review_id, submission_id)
        editing.submit(current_user.id, review_id, changes)
    except editing.DraftConflictError as exc:
        error = {"code": exc.code, "message": str(exc.message), "conflicts": exc.conflicts}
        return jsonify(error=error), exc.status
    except HuibaoError as exc:
        return json_error(exc)
    flash(_("评分已提交。"), "success")
    return jsonify(next_url=url_for("reviews.next_ungraded", after=submission_id))


def _check_review_of(review_id: int, submission_id: int) -> None:
    version_id = db.session.scalar(select(Review.version_id).where(Review.id == review_id))
    owner = db.session.get(SubmissionVersion, version_id) if version_id else None
    if owner is None or owner.submission_id != submission_id:
        raise HuibaoError(_("找不到这份评分草稿，请刷新页面。"), status=404, code="not_found")


@bp.post("/<int:submission_id>/segments/<int:segment_id>")
@staff_only
def correct_segment(submission_id: int, segment_id: int) -> ResponseReturnValue:
    """Save a reviewer's correction of one transcript segment (JSON)."""
    try:
        data = request.get_json(silent=True) or {}
        segment = corrections.correct_segment(
            current_user.id, submission_id, segment_id, data.get("text", "")
        )
    except HuibaoError as exc:
        return json_error(exc)
    return jsonify(
        id=segment.id,
        text=segment.text,
        original=segment.original_text,
        corrected=segment.corrected_by is not None,
    )


@bp.post("/<int:submission_id>/segments/<int:segment_id>/terms/<int:number>/undo")
@staff_only
def undo_term_fix(submission_id: int, segment_id: int, number: int) -> ResponseReturnValue:
    """Undo one Party-term fix of a segment: the recognised words come back (JSON)."""
    try:
        segment = corrections.undo_term_fix(current_user.id, submission_id, segment_id, number)
    except HuibaoError as exc:
        return json_error(exc)
    return jsonify(
        id=segment.id,
        text=segment.text,
        pieces=text_pieces(segment),
        original=segment.original_text,
        corrected=segment.corrected_by is not None,
    )
