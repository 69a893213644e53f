"""Admin page of one branch: its group-chat robot (webhook, type, signing secret) and a test."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from review.access import role_required
from review.admin import bp
from review.exceptions import HuibaoError
from review.extensions import db
from review.models import Branch, Role
from review.services.notifications import webhooks


@bp.route("/branches/<int:branch_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def branch(branch_id: int) -> ResponseReturnValue:
    """Show a branch and set its group-chat robot (webhook URL, type, 钉钉/飞书 secret)."""
    found = db.session.get(Branch, branch_id)
    if found is None:
        abort(404)
    if request.method == "POST":
        try:
            webhooks.set_webhook(
                branch_id,
                request.form.get("webhook_url", ""),
                request.form.get("webhook_type", ""),
                request.form.get("webhook_secret"),
                current_user.id,
                keep_secret=request.form.get("clear_secret") != "1",
            )
        except HuibaoError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
        else:
            flash(_("群机器人设置已保存。"), "success")
        return redirect(url_for("admin.branch", branch_id=branch_id))
    return render_template("admin/branch.html", branch=found, labels=webhooks.LABELS)


@bp.route("/branches/<int:branch_id>/test-bot", methods=["POST"])
@role_required(Role.ADMIN)
def test_bot(branch_id: int) -> ResponseReturnValue:
    """Send a test message to the branch's robot and say whether it arrived."""
    try:
        webhooks.send_test(branch_id)
    except HuibaoError as exc:
        flash(str(exc.message), "danger")
    else:
        flash(_("测试消息已发送，请到群里查看。"), "success")
    return redirect(url_for("admin.branch", branch_id=branch_id))
