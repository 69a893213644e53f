"""Login, logout, password change and self-service reset pages."""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from review.auth.redirects import safe_next
from review.exceptions import ValidationError
from review.models import User
from review.services import accounts, password_reset
from review.services.password_reset import ResetThrottledError
from review.services.passwords import MIN_LENGTH
from review.services.throttle import LoginThrottledError

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Show the login form and sign the user in."""
    from review.auth.forms import LoginForm

    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(
                form.username.data or "", form.password.data or "", request.remote_addr
            )
        except LoginThrottledError as exc:
            flash(str(exc.message), "danger")
            page = render_template("auth/login.html", form=form)
            return page, 429, {"Retry-After": str(exc.retry_after)}
        if user is None:
            flash(_("学号/工号或密码不正确。"), "danger")
        else:
            start_session(user)
            if user.must_change_password:
                flash(_("首次登录请先修改初始密码。"), "warning")
                return redirect(url_for("auth.change_password"))
            return redirect(safe_next(request.args.get("next")) or url_for("main.index"))
    return render_template("auth/login.html", form=form)


def start_session(user: User) -> None:
    """Sign user in on a fresh session: nothing from before the login is carried over."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user)


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    """Sign the user out; the cookie from before stops working even if someone copied it."""
    if current_user.is_authenticated:
        accounts.log_out_everywhere(current_user.id)
    logout_user()
    flash(_("您已退出登录。"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> ResponseReturnValue:
    """Let the user change their password (forced after an import)."""
    from review.auth.forms import ChangePasswordForm

    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user.id, form.current.data or "", form.new.data or "")
        except ValidationError as exc:
            flash(str(exc.message), "danger")
        else:
            start_session(
                current_user._get_current_object()
            )  # the change ended every session, this one included
            flash(_("密码已修改。"), "success")
            return redirect(url_for("main.index"))
    return render_template("auth/password.html", form=form)


@bp.before_app_request
def force_password_change() -> ResponseReturnValue | None:
    """Send users with an initial password to the change form before anything else."""
    if not current_user.is_authenticated or not current_user.must_change_password:
        return None
    if request.path.startswith("/api/"):
        return None
    if request.endpoint in {
        "auth.change_password",
        "auth.logout",
        "auth.forgot_password",
        "auth.reset_password",
        "static",
    }:
        return None
    return redirect(url_for("auth.change_password"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password() -> ResponseReturnValue:
    """Ask for a reset link by email; the answer never tells whether the account exists."""
    from review.auth.forms import ForgotPasswordForm

    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            password_reset.request_reset(form.identifier.data or "", request.remote_addr)
        except ResetThrottledError as exc:
            flash(str(exc.message), "danger")
            page = render_template("auth/forgot.html", form=form)
            return page, 429, {"Retry-After": str(password_reset.WINDOW)}
        return render_template("auth/forgot.html", form=form, sent=True)
    return render_template("auth/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> ResponseReturnValue:
    """Set a new password through the emailed link (valid once, for a limited time)."""
    from review.auth.forms import ResetPasswordForm

    user = password_reset.user_for_token(token)
    if user is None:
        flash(password_reset.invalid_link_message(), "danger")
        return render_template("auth/reset.html", form=None), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            password_reset.reset_password(token, form.new.data or "")
        except ValidationError as exc:
            flash(str(exc.message), "danger")
        else:
            lang = session.get("lang")
            logout_user()  # whoever was signed in here: the reset ended the account's sessions
            session.clear()
            if lang:
                session["lang"] = lang
            flash(_("密码已重置，所有设备上的登录都已退出。请用新密码登录。"), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, user=user, min_length=MIN_LENGTH)
