"""Index and per-role home pages."""
from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from review.access import role_required, visible_submissions
from review.extensions import db
from review.main import bp
from review.models import Branch, Period, Role, Submission, User
from review.services.periods import open_periods


@bp.route("/")
@login_required
def index():
    """Send the user to the start page of their role."""
    target = {
        Role.ACTIVIST.value: "main.activist",
        Role.REVIEWER.value: "main.reviewer",
        Role.COMMITTEE.value: "main.committee",
        Role.ADMIN.value: "admin.index",
    }[current_user.role]
    return redirect(url_for(target))


@bp.route("/me")
@role_required(Role.ACTIVIST)
def activist():
    """The activist's home: open periods, what is missing, each submission's state."""
    periods = open_periods()
    mine = {s.period_id: s for s in db.session.scalars(visible_submissions(current_user))}
    return render_template("main/activist.html", periods=periods, mine=mine)


@bp.route("/queue")
@role_required(Role.REVIEWER)
def reviewer():
    """The reviewer's home: submissions of their branches, oldest first."""
    stmt = visible_submissions(current_user).order_by(Submission.updated_at)
    submissions = list(db.session.scalars(stmt.where(Submission.state != "draft").limit(200)))
    return render_template("main/reviewer.html", submissions=submissions,
                           branches=current_user.reviewer_of)


@bp.route("/committee")
@role_required(Role.COMMITTEE, Role.ADMIN)
def committee():
    """The committee's home: per-branch counts by state for each period."""
    periods = list(db.session.scalars(select(Period).order_by(Period.opens_at.desc())))
    counts = db.session.execute(
        select(Submission.period_id, Submission.branch_id, Submission.state, func.count())
        .group_by(Submission.period_id, Submission.branch_id, Submission.state)
    ).all()
    members = dict(db.session.execute(
        select(User.branch_id, func.count()).where(User.role == Role.ACTIVIST.value)
        .group_by(User.branch_id)).all())
    branches = list(db.session.scalars(select(Branch).order_by(Branch.name)))
    table: dict = {}
    for period_id, branch_id, state, n in counts:
        table.setdefault((period_id, branch_id), {})[state] = n
    return render_template("main/committee.html", periods=periods, branches=branches,
                           table=table, members=members)
