"""Routes of the activist blueprint: home, one period's report, submit, revise, old versions."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from review import clock
from review.access import get_submission_or_404, role_required, visible_submissions
from review.activist import bp
from review.activist.helpers import get_own_submission
from review.activist.status import (
    STEP_WEIGHTS,
    days_left,
    outcome_label,
    paper_summary,
    pending_upload,
    report_status,
    video_status,
)
from review.exceptions import HuibaoError
from review.extensions import db
from review.models import Period, Role, Submission, SubmissionVersion
from review.services import releases, revisions, submissions
from review.services.analyses import analyses_json
from review.services.media_errors import recommended_length
from review.services.periods import open_periods

DEFAULT_CHUNK_BYTES = 6 * 2**20


def _card(period: Period, submission: Submission | None) -> dict:
    version = submission.current if submission else None
    upload = None
    if version is None or not version.frozen:
        after = version.video.created_at if version and version.video else None
        upload = pending_upload(current_user.id, period.id, after)
    redo = revisions.redo_status(version) if version is not None else None
    return {
        "period": period,
        "submission": submission,
        "version": version,
        "redo": redo,
        "status": report_status(submission, version, upload, redo),
        "video": video_status(version.video if version else None, upload),
        "paper": paper_summary(version),
        "has_paper": version is not None and version.has_paper,
        "days_left": days_left(period.closes_at),
    }


@bp.context_processor
def template_helpers() -> dict:
    """Give the activist's templates the outcome words."""
    return {
        "outcome_label": outcome_label,
        "recommended_length": recommended_length,
        "redo_label": revisions.redo_label,
    }


@bp.route("/")
@role_required(Role.ACTIVIST)
def home() -> ResponseReturnValue:
    """The activist's home: open periods, what is missing, each submission's state."""
    periods = open_periods()
    mine = {s.period_id: s for s in db.session.scalars(visible_submissions(current_user))}
    open_ids = {p.id for p in periods}
    past = sorted(
        (s for s in mine.values() if s.period_id not in open_ids),
        key=lambda s: s.period.closes_at,
        reverse=True,
    )
    return render_template(
        "activist/home.html",
        cards=[_card(p, mine.get(p.id)) for p in periods],
        past=[_card(s.period, s) for s in past],
    )


def _upload_config(period: Period, submission: Submission | None) -> dict:
    cfg = current_app.config
    return {
        "endpoint": url_for("api.create_upload"),
        "periodId": period.id,
        "submissionId": submission.id if submission else None,
        "chunkSize": int(cfg.get("UPLOAD_CHUNK_BYTES", DEFAULT_CHUNK_BYTES)),
        "maxBytes": cfg["MAX_UPLOAD_BYTES"],
        "minDuration": cfg["MIN_DURATION"],
        "maxDuration": cfg["MAX_DURATION"],
        "stepWeights": STEP_WEIGHTS,
        "submissionsUrl": url_for("api.list_submissions"),
        "playUrl": url_for("activist.play_video", video_id=0),
        "posterUrl": url_for("activist.video_poster", video_id=0),
    }


@bp.route("/periods/<int:period_id>/")
@role_required(Role.ACTIVIST)
def report(period_id: int) -> ResponseReturnValue:
    """One period's report: video upload and status, paper report, submit, feedback."""
    period = db.session.get(Period, period_id) or abort(404)
    submission = get_own_submission(period_id)
    is_open = period.opens_at <= clock.now() <= period.closes_at
    if submission is None and not is_open:
        abort(404)
    card = _card(period, submission)
    version = card["version"]
    editable = is_open and (version is None or not version.frozen)
    earlier = [v for v in (submission.versions if submission else []) if v is not version]
    feedback = submissions.released_feedback(version.id) if version and version.frozen else None
    if feedback is not None and version is not None:
        releases.record_opened(version.id, current_user.id, ip=request.remote_addr)
    return render_template(
        "activist/report.html",
        **card,
        previous=submissions.revision_feedback(version) if version else None,
        editable=editable,
        is_open=is_open,
        earlier=earlier,
        feedback=feedback,
        seek_url=lambda t: f"#t={t:.1f}",
        analyses=analyses_json(version) if version else {},
        config=_upload_config(period, submission),
    )


@bp.post("/periods/<int:period_id>/submit")
@role_required(Role.ACTIVIST)
def submit(period_id: int) -> ResponseReturnValue:
    """Submit the draft: both parts must be present; the version is frozen."""
    try:
        submissions.submit_version(current_user.id, period_id)
    except HuibaoError as exc:
        flash(str(exc.message), "danger")
    else:
        flash(_("思想汇报已提交，等待支部审阅。提交后不能再修改。"), "success")
    return redirect(url_for("activist.report", period_id=period_id))


@bp.post("/periods/<int:period_id>/revise")
@role_required(Role.ACTIVIST)
def revise(period_id: int) -> ResponseReturnValue:
    """Open a new version after "需修改" as a copy of the earlier one, which stays read-only."""
    try:
        version = submissions.start_revision(current_user.id, period_id)
    except HuibaoError as exc:
        flash(str(exc.message), "danger")
    else:
        flash(
            _(
                "已创建第 %(n)d 版：视频和书面汇报已从上一版复制过来，请按反馈修改后重新提交。",
                n=version.number,
            ),
            "success",
        )
    return redirect(url_for("activist.report", period_id=period_id))


@bp.route("/submissions/<int:submission_id>/versions/<int:number>")
@role_required(Role.ACTIVIST)
def version(submission_id: int, number: int) -> ResponseReturnValue:
    """An earlier version, read-only, with its released feedback."""
    submission = get_submission_or_404(submission_id)
    found = db.session.scalar(
        select(SubmissionVersion).where(
            SubmissionVersion.submission_id == submission.id, SubmissionVersion.number == number
        )
    )
    if found is None:
        abort(404)
    feedback = submissions.released_feedback(found.id) if found.frozen else None
    if feedback is not None:
        releases.record_opened(found.id, current_user.id, ip=request.remote_addr)
    return render_template(
        "activist/version.html",
        submission=submission,
        version=found,
        period=submission.period,
        paper=paper_summary(found),
        video=video_status(found.video),
        feedback=feedback,
    )
