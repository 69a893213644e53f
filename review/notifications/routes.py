"""消息 (the in-app inbox) for every role, and the user's settings: email and channels per kind."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from review.exceptions import HuibaoError
from review.extensions import db
from review.notifications import bp
from review.services.notifications import email_configured, inbox, prefs
from review.services.notifications.kinds import USER_CHANNELS


@bp.app_context_processor
def unread_messages() -> dict:
    """Give templates `unread_messages()`: the signed-in user's unread count (one query)."""

    def count() -> int:
        if not current_user.is_authenticated:
            return 0
        return inbox.unread_count(current_user.id)

    return {"unread_messages": count}


@bp.route("/messages/")
@login_required
def index() -> ResponseReturnValue:
    """List the user's in-app notifications, newest first."""
    before = request.args.get("before", type=int)
    rows = inbox.messages(current_user.id, limit=51, before_id=before)
    return render_template(
        "notifications/index.html", rows=rows[:50], more=rows[49].id if len(rows) > 50 else None
    )


@bp.route("/messages/<int:notification_id>/read", methods=["POST"])
@login_required
def read(notification_id: int) -> ResponseReturnValue:
    """Mark one message read; with `open`, go on to the page it is about."""
    try:
        row = inbox.mark_read(current_user.id, notification_id)
    except HuibaoError:
        abort(404)  # another user's message: not revealed
    if request.form.get("open") and row.link and row.link.startswith("/"):
        return redirect(row.link)
    return redirect(url_for("notifications.index"))


@bp.route("/messages/read-all", methods=["POST"])
@login_required
def read_all() -> ResponseReturnValue:
    """Mark every message read."""
    inbox.mark_all_read(current_user.id)
    flash(_("已全部标为已读。"), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings() -> ResponseReturnValue:
    """Show and save the user's email address and which channels they want per kind."""
    if request.method == "POST":
        enabled = {
            (kind, channel)
            for value in request.form.getlist("on")
            for kind, _sep, channel in [value.partition(":")]
        }
        try:
            prefs.set_email(current_user.id, request.form.get("email"))
            prefs.save_preferences(current_user.id, enabled)
        except HuibaoError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
            return render_template(
                "notifications/settings.html",
                rows=prefs.preferences(current_user),
                channels=USER_CHANNELS,
                email=request.form.get("email", ""),
                mail_on=email_configured(),
            ), 400
        flash(_("设置已保存。"), "success")
        return redirect(url_for("notifications.settings"))
    return render_template(
        "notifications/settings.html",
        rows=prefs.preferences(current_user),
        channels=USER_CHANNELS,
        email=current_user.email or "",
        mail_on=email_configured(),
    )
