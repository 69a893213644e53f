"""Admin page for the processing queue: videos by state, failures, retries, RQ at a glance."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from redis.exceptions import RedisError
from sqlalchemy import func, select

from review.access import role_required
from review.admin import bp
from review.exceptions import HuibaoError
from review.extensions import db
from review.models import Role, User, Video, VideoState
from review.services import admin
from review.services.media_errors import reason


@bp.route("/queue")
@role_required(Role.ADMIN)
def queue() -> ResponseReturnValue:
    """Show videos by processing state, the failed ones with their reason, and RQ."""
    counts = dict(db.session.execute(select(Video.state, func.count()).group_by(Video.state)).all())
    state = request.args.get("state", VideoState.FAILED.value)
    videos = db.session.execute(
        select(Video, User)
        .join(User, User.id == Video.owner_id)
        .where(Video.state == state)
        .order_by(Video.updated_at.desc())
        .limit(200)
    ).all()
    cfg = current_app.config
    reasons = {
        v.id: reason(v.error_code, min_seconds=cfg["MIN_DURATION"], max_seconds=cfg["MAX_DURATION"])
        for v, _u in videos
    }
    try:
        queues, workers = admin.queue_overview()
        redis_error = None
    except RedisError as exc:
        queues, workers, redis_error = [], [], str(exc)
    from review.services.notifications import outbox

    return render_template(
        "admin/queue.html",
        failed_notifications=outbox.failed_rows(),
        counts=counts,
        state=state,
        videos=videos,
        reasons=reasons,
        queues=queues,
        workers=workers,
        redis_error=redis_error,
        states=[s.value for s in VideoState],
    )


@bp.route("/videos/<int:video_id>/retry", methods=["POST"])
@role_required(Role.ADMIN)
def retry(video_id: int) -> ResponseReturnValue:
    """Process a failed video again from the start."""
    try:
        admin.retry_video(video_id, current_user.id)
    except HuibaoError as exc:
        flash(str(exc.message), "danger")
    except RedisError:
        flash(_("已重置视频状态，但任务队列暂时不可用；系统会在恢复后自动重新处理。"), "warning")
    else:
        flash(_("已重新提交处理，请稍后刷新查看。"), "success")
    return redirect(url_for("admin.queue", state=request.form.get("state", "failed")))


@bp.route("/notifications/<int:notification_id>/retry", methods=["POST"])
@role_required(Role.ADMIN)
def retry_notification(notification_id: int) -> ResponseReturnValue:
    """Send a failed notification again (a fresh round of attempts; audited)."""
    from review.services.notifications import outbox

    try:
        outbox.retry_failed(notification_id, current_user.id)
    except HuibaoError as exc:
        flash(str(exc.message), "danger")
    else:
        flash(_("已重新发送该通知，请稍后刷新查看结果。"), "success")
    return redirect(url_for("admin.queue", _anchor="notifications"))
