"""Admin pages for branches, reviewer assignments, accounts and roster upload."""

from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from review.access import role_required
from review.admin import bp
from review.exceptions import HuibaoError, RosterError
from review.extensions import db
from review.limits import body_limit
from review.models import Role, User
from review.services import accounts, admin, onetime, roster, roster_files
from review.services.branches import all_branches
from review.services.exports import content_disposition

PAGE = 100


@bp.route("/branches", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def branches() -> ResponseReturnValue:
    """List branches with their reviewers and members; create a branch."""
    if request.method == "POST":
        try:
            branch = accounts.create_branch(request.form.get("name", ""))
        except HuibaoError as exc:
            flash(str(exc.message), "danger")
        else:
            flash(_("已创建支部“%(name)s”。", name=branch.name), "success")
        return redirect(url_for("admin.branches"))
    rows = all_branches()
    members = dict(
        db.session.execute(
            select(User.branch_id, func.count())
            .where(User.role == Role.ACTIVIST.value, User.active.is_(True))
            .group_by(User.branch_id)
        ).all()
    )
    reviewers = list(
        db.session.scalars(select(User).where(User.role == Role.REVIEWER.value).order_by(User.name))
    )
    return render_template(
        "admin/branches.html", branches=rows, members=members, reviewers=reviewers
    )


@bp.route("/branches/assign", methods=["POST"])
@role_required(Role.ADMIN)
def assign() -> ResponseReturnValue:
    """Assign a reviewer to a branch or take the assignment away."""
    try:
        admin.assign_reviewer(
            request.form.get("user_id", type=int) or 0,
            request.form.get("branch_id", type=int) or 0,
            request.form.get("assigned") == "1",
            current_user.id,
        )
    except HuibaoError as exc:
        flash(str(exc.message), "danger")
    else:
        flash(_("审阅人分配已更新。"), "success")
    return redirect(url_for("admin.branches"))


@bp.route("/users", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def users() -> ResponseReturnValue:
    """Search accounts; create one (its one-time password is shown once)."""
    if request.method == "POST":
        password = request.form.get("password") or admin.new_password(
            request.form.get("username", ""), request.form.get("name", "")
        )
        try:
            user = accounts.create_user(
                request.form.get("username", ""),
                request.form.get("name", ""),
                request.form.get("role", ""),
                password,
                request.form.getlist("branches"),
                must_change_password=True,
                email=request.form.get("email"),
            )
        except HuibaoError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
        else:
            flash(_("已创建账号 %(u)s（%(n)s）。", u=user.username, n=user.name), "success")
            shown = onetime.stash(
                current_user.id, kind="created", username=user.username, password=password
            )
            return redirect(url_for("admin.users", shown=shown))
        return redirect(url_for("admin.users"))
    stmt = select(User)
    q = (request.args.get("q") or "").strip()
    if q:
        stmt = stmt.where(or_(User.username.contains(q), User.name.contains(q)))
    if request.args.get("role"):
        stmt = stmt.where(User.role == request.args["role"])
    page = max(request.args.get("page", 1, type=int), 1)
    found = list(
        db.session.scalars(
            stmt.order_by(User.role, User.username).offset((page - 1) * PAGE).limit(PAGE + 1)
        )
    )
    secret = None
    if request.args.get("shown"):
        secret = onetime.take(current_user.id, request.args["shown"])
        if secret is None:
            flash(
                _("该密码已显示过或已过期（只显示一次）。如仍需要，请重新重置该账号的密码。"),
                "info",
            )
    html = render_template(
        "admin/users.html",
        secret=secret,
        users=found[:PAGE],
        more=len(found) > PAGE,
        page=page,
        q=q,
        role=request.args.get("role", ""),
        branches=all_branches(),
        roles=[r.value for r in Role],
    )
    # A page with a password on it is not kept by the browser or any proxy.
    return html, 200, {"Cache-Control": "no-store"} if secret else {}


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@role_required(Role.ADMIN)
def set_active(user_id: int) -> ResponseReturnValue:
    """Deactivate or reactivate an account."""
    try:
        user = admin.set_active(user_id, request.form.get("active") == "1", current_user.id)
    except HuibaoError as exc:
        flash(str(exc.message), "danger")
    else:
        flash(
            _("已启用账号 %(u)s。", u=user.username)
            if user.active
            else _("已停用账号 %(u)s，该账号无法再登录。", u=user.username),
            "success",
        )
    return redirect(request.referrer or url_for("admin.users"))


@bp.route("/users/<int:user_id>/email", methods=["POST"])
@role_required(Role.ADMIN)
def set_email(user_id: int) -> ResponseReturnValue:
    """Set or clear an account's email address (for notifications and password reset)."""
    from review.services.notifications import prefs

    try:
        user = prefs.set_email(user_id, request.form.get("email"))
    except HuibaoError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
    else:
        flash(_("已更新 %(u)s 的邮箱。", u=user.username), "success")
    return redirect(request.referrer or url_for("admin.users"))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@role_required(Role.ADMIN)
def reset_password(user_id: int) -> ResponseReturnValue:
    """Give the user a one-time password; they must change it at the next login."""
    try:
        password = admin.reset_password(user_id, current_user.id)
    except HuibaoError as exc:
        flash(str(exc.message), "danger")
    else:
        user = db.session.get_one(User, user_id)
        flash(_("已重置 %(u)s 的密码，原有登录已全部失效。", u=user.username), "success")
        shown = onetime.stash(
            current_user.id, kind="reset", username=user.username, password=password
        )
        return redirect(url_for("admin.users", shown=shown))
    return redirect(request.referrer or url_for("admin.users"))


def _roster_too_large(limit: int):  # noqa: ANN202
    flash(_("名单文件过大（上限 %(mb)d MB），请分批导入。", mb=limit // 2**20), "danger")
    return redirect(url_for("admin.roster_upload"))


@bp.route("/roster", methods=["GET", "POST"])
@body_limit(lambda: current_app.config["ROSTER_MAX_BYTES"], refuse=_roster_too_large)
@role_required(Role.ADMIN)
def roster_upload() -> ResponseReturnValue:
    """Upload a roster (CSV or XLSX); all rows are imported, or none with every bad line shown."""
    errors, result, message, shown = [], None, None, None
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(_("请选择要上传的名单文件（CSV 或 XLSX）。"), "danger")
            return redirect(url_for("admin.roster_upload"))
        try:
            result = roster.import_roster(upload.filename, upload.read())
        except RosterError as exc:
            db.session.rollback()
            errors, message = exc.errors, str(exc.message)
        else:
            shown = roster_files.stash_passwords(
                current_user.id, result.created, request.remote_addr
            )
    html = render_template(
        "admin/roster.html",
        errors=errors,
        result=result,
        message=message,
        columns=roster.COLUMNS,
        optional=roster.OPTIONAL,
        shown=shown,
        minutes=onetime.ONETIME_TTL // 60,
    )
    # A page with passwords on it is not kept by the browser or any proxy.
    return html, 400 if errors or message else 200, {"Cache-Control": "no-store"}


@bp.route("/roster/template.xlsx")
@role_required(Role.ADMIN)
def roster_template() -> ResponseReturnValue:
    """Download an XLSX roster template with the columns and an example row."""
    return Response(
        roster_files.template_xlsx(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": content_disposition("名单模板.xlsx", "roster.xlsx")},
    )


@bp.route("/roster/passwords.csv")
@role_required(Role.ADMIN)
def roster_passwords() -> ResponseReturnValue:
    """Download the initial passwords of the accounts just imported, once (CSV, UTF-8 BOM)."""
    data = roster_files.take_passwords(
        current_user.id, request.args.get("shown", ""), request.remote_addr
    )
    if data is None:
        flash(
            _(
                "初始密码已下载过或已过期（只能下载一次）。如仍需要，请在“账号”页重置相应账号的密码。"
            ),
            "info",
        )
        return redirect(url_for("admin.roster_upload"))
    return Response(
        data,
        mimetype="text/csv",
        headers={
            "Content-Disposition": content_disposition("初始密码.csv", "passwords.csv"),
            "Cache-Control": "no-store",
        },
    )
