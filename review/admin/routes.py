"""Admin home: branches, users and periods at a glance."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from review.access import role_required
from review.admin import bp
from review.extensions import db
from review.models import Period, Role, User, Video
from review.services.branches import all_branches


@bp.route("/")
@role_required(Role.ADMIN)
def index() -> ResponseReturnValue:
    """Show counts of users by role, the branches, periods and failed videos."""
    roles = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    branches = all_branches()
    periods = list(db.session.scalars(select(Period).order_by(Period.opens_at.desc())))
    videos = dict(db.session.execute(select(Video.state, func.count()).group_by(Video.state)).all())
    return render_template(
        "admin/index.html", roles=roles, branches=branches, periods=periods, videos=videos
    )
