"""The committee's dashboard, agreed marks and release pages."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from review.access import get_version_or_404, role_required
from review.auth.redirects import safe_next
from review.committee import bp
from review.committee.evidence import evidence_context
from review.committee.snapshot import snapshot
from review.exceptions import HuibaoError, ValidationError
from review.extensions import db
from review.models import Criterion, Period, Role, User
from review.services import agreement, decisions, evidence, releases, revisions
from review.services import dashboard as board

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
    threshold = agreement.thresholds(period).disagreement / period.rubric_version.max_total
    figures = snapshot(period.id, threshold, STATES)  # counted at most a minute ago
    return render_template(
        "committee/dashboard.html",
        periods=periods,
        period=period,
        states=STATES,
        rows=figures.rows,
        charts=figures.charts,
        counted_at=figures.counted_at,
        cache_seconds=current_app.config["DASHBOARD_CACHE_SECONDS"],
        disagreements=board.disagreements(period.id, threshold, first=board.LIST_LIMIT),
        disagreement_total=figures.disagreement_total,
        threshold=threshold,
        criteria=period.rubric_version.criteria,
        reviewer_names=_names(),
        review_days=board.REVIEW_DAYS,
    )


def _names() -> dict[int, str]:
    stmt = select(User.id, User.name).where(User.role.in_([Role.REVIEWER.value]))
    return dict(db.session.execute(stmt).all())


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
    limits = agreement.thresholds(submission.period)
    differences, total_difference = evidence.differences(
        list(criteria), reviews, limits.disagreement, submission.period.rubric_version.max_total
    )
    html = render_template(
        "committee/decide.html",
        ev=evidence_context(version),
        differences=differences,
        total_difference=total_difference,
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
        row=agreement.rows(submission.period, [submission])[0],
        limits=limits,
        withdraw_until=releases.withdraw_until(decision) if decision else None,
        window_hours=f"{releases.withdraw_window().total_seconds() / 3600:g}",
        outcome_label=decisions.outcome_label,
        redo_labels=revisions.REDO_LABELS,
        next=safe_next(request.args.get("next")) or "",
    )
    db.session.commit()  # the page read's audit entry, after rendering
    return html, 200, {"Cache-Control": "private, no-store"}
