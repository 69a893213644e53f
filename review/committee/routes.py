"""The committee's dashboard, agreed marks and release pages."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from review.access import get_version_or_404, role_required, visible_submissions
from review.auth.redirects import safe_next
from review.committee import bp
from review.exceptions import HuibaoError, ValidationError
from review.extensions import db
from review.models import Branch, Criterion, Period, Role, Submission, User
from review.services import dashboard as board
from review.services import decisions, revisions

COMMITTEE = (Role.COMMITTEE,)  # admins manage accounts and queues; they read no report
STATES = ("draft", "submitted", "in_review", "reviewed", "released", "needs_revision")


def _periods() -> list[Period]:
    return list(db.session.scalars(select(Period).order_by(Period.opens_at.desc())))


def _period_or_404(period_id: int) -> Period:
    period = db.session.get(Period, period_id)
    if period is None:
        abort(404)
    return period


@bp.route("/")
@role_required(*COMMITTEE)
def dashboard() -> ResponseReturnValue:
    """Per-branch figures of a period, overdue reviews and disagreements to resolve."""
    periods = _periods()
    period = db.session.get(Period, request.args.get("period", type=int) or 0) or (
        periods[0] if periods else None
    )
    if period is None:
        return render_template("committee/dashboard.html", periods=[], period=None)
    threshold = float(current_app.config["DISAGREEMENT_THRESHOLD"])
    return render_template(
        "committee/dashboard.html",
        periods=periods,
        period=period,
        states=STATES,
        rows=board.overview(period.id),
        disagreements=board.disagreements(period.id, threshold),
        threshold=threshold,
        criteria=period.rubric_version.criteria,
        reviewer_names=_names(),
        review_days=board.REVIEW_DAYS,
    )


def _names() -> dict[int, str]:
    stmt = select(User.id, User.name).where(User.role.in_([Role.REVIEWER.value]))
    return dict(db.session.execute(stmt).all())


@bp.route("/periods/<int:period_id>/submissions")
@role_required(*COMMITTEE)
def submissions(period_id: int) -> ResponseReturnValue:
    """The submissions of a period (optionally one branch) with their decisions, to release."""
    period = _period_or_404(period_id)
    branch_id = request.args.get("branch", type=int)
    stmt = visible_submissions(current_user).where(
        Submission.period_id == period.id, Submission.state != "draft"
    )
    if branch_id:
        stmt = stmt.where(Submission.branch_id == branch_id)
    subs = list(db.session.scalars(stmt.order_by(Submission.branch_id, Submission.id)))
    versions = board.current_versions(period.id)
    found = {
        s.id: decisions.get_decision(versions[s.id].id) if s.id in versions else None for s in subs
    }
    branches = list(db.session.scalars(select(Branch).order_by(Branch.name)))
    return render_template(
        "committee/submissions.html",
        period=period,
        submissions=subs,
        decisions=found,
        branches=branches,
        branch_id=branch_id,
        outcome_label=decisions.outcome_label,
    )


def _parse_marks(criteria: list[Criterion]) -> dict[int, float | None]:
    marks: dict[int, float | None] = {}
    for c in criteria:
        raw = (request.form.get(f"mark-{c.id}") or "").strip()
        if not raw:
            marks[c.id] = None
            continue
        try:
            marks[c.id] = float(raw)
        except ValueError:
            raise ValidationError(
                _(
                    "“%(title)s”的分数“%(v)s”不是数字，请填写 0 到 %(max)d 之间的分数。",
                    title=c.title,
                    v=raw,
                    max=c.max_points,
                )
            ) from None
    return marks


@bp.route("/submissions/<int:submission_id>", methods=["GET", "POST"])
@role_required(*COMMITTEE)
def decide(submission_id: int) -> ResponseReturnValue:
    """Both reviews side by side; the committee's agreed marks, outcome and comment."""
    version = get_version_or_404(submission_id)
    submission = version.submission
    criteria = submission.period.rubric_version.criteria
    if request.method == "POST":
        try:
            decisions.set_decision(
                submission.id,
                current_user.id,
                _parse_marks(criteria),
                request.form.get("outcome") or None,
                request.form.get("comment", ""),
                redo=request.form.get("redo") or None,
            )
        except HuibaoError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
        else:
            flash(_("已保存认定结果。发布前积极分子看不到。"), "success")
            return redirect(
                safe_next(request.form.get("next"))
                or url_for("committee.decide", submission_id=submission.id)
            )
    reviews = decisions.submitted_reviews(version.id)
    positions = {c.id: c.position for c in db.session.scalars(select(Criterion))}
    scores = [{positions[s.criterion_id]: s for s in r.scores} for r in reviews]
    reviewers = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(User.id.in_([r.reviewer_id for r in reviews] or [-1]))
        )
    }
    decision = decisions.get_decision(version.id)
    agreed = {m.criterion_id: m.points for m in decision.marks} if decision else {}
    users = dict(db.session.execute(select(User.id, User.name)).all())
    return render_template(
        "committee/decide.html",
        submission=submission,
        version=version,
        criteria=criteria,
        reviews=reviews,
        scores=scores,
        reviewers=reviewers,
        decision=decision,
        agreed=agreed,
        users=users,
        history=decisions.history(submission.id),
        outcome_label=decisions.outcome_label,
        redo_labels=revisions.REDO_LABELS,
        next=safe_next(request.args.get("next")) or "",
    )


@bp.route("/periods/<int:period_id>/release", methods=["POST"])
@role_required(*COMMITTEE)
def release(period_id: int) -> ResponseReturnValue:
    """Release a branch, the whole period or the selected submissions."""
    period = _period_or_404(period_id)
    scope = request.form.get("scope", "selection")
    branch_id = request.form.get("branch_id", type=int)
    kwargs: dict = {}
    if scope == "branch":
        if not branch_id:
            flash(_("请选择要发布的支部。"), "danger")
            return redirect(url_for("committee.submissions", period_id=period.id))
        kwargs["branch_id"] = branch_id
    elif scope == "selection":
        ids = [int(i) for i in request.form.getlist("ids") if i.isdigit()]
        if not ids:
            flash(_("请先勾选要发布的汇报。"), "danger")
            return redirect(url_for("committee.submissions", period_id=period.id, branch=branch_id))
        kwargs["submission_ids"] = ids
    result = decisions.release(current_user.id, period.id, **kwargs)
    if result.released:
        flash(_("已发布 %(n)d 份结果，积极分子现在可以看到。", n=len(result.released)), "success")
    if result.skipped:
        flash(_("%(n)d 份尚未认定全部分数和结论，未发布。", n=len(result.skipped)), "warning")
    if not result.released and not result.skipped:
        flash(_("没有需要发布的结果。"), "info")
    return redirect(url_for("committee.submissions", period_id=period.id, branch=branch_id))
