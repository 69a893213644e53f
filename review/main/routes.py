"""Index and per-role home pages."""

from __future__ import annotations

from flask import current_app, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from review.main import bp
from review.models import Role


@bp.route("/")
@login_required
def index() -> ResponseReturnValue:
    """Send the user to the start page of their role."""
    target = {
        Role.ACTIVIST.value: "activist.home",
        Role.REVIEWER.value: "reviews.index",
        Role.COMMITTEE.value: "committee.dashboard",
        Role.ADMIN.value: "admin.index",
    }[current_user.role]
    return redirect(url_for(target))


@bp.route("/favicon.ico")
def favicon() -> ResponseReturnValue:
    """Serve the site icon where browsers and WeChat look for it without a <link>."""
    return current_app.send_static_file("favicon.ico")
