"""The committee's release list: confirm and release, withdraw, agree in bulk, settings."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from review.access import get_version_or_404, role_required
from review.committee import bp
from review.exceptions import HuibaoError, ValidationError
from review.extensions import db
from review.models import Period, Role
from review.services import agreement, decisions, release_list, releases
from review.services import periods as period_service
from review.services.branches import all_branches
from review.services.feedback import MODE_LABELS, rules_for

COMMITTEE = (Role.COMMITTEE,)


def _period_or_404(period_id: int) -> Period:
    period = db.session.get(Period, period_id)
    if period is None:
        abort(404)
    return period


def _number(name: str) -> float | None:
    raw = (request.values.get(name) or "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise ValidationError(_("“%(v)s”不是数字，请填写数字。", v=raw)) from None


def _ids(name: str = "ids") -> list[int]:
    return [int(i) for i in request.values.getlist(name) if i.isdigit()]


@bp.route("/periods/<int:period_id>/submissions")
@role_required(*COMMITTEE)
def submissions(period_id: int) -> ResponseReturnValue:
    """The submissions of a period with totals, disagreement and suggestions, to release."""
    period = _period_or_404(period_id)
    branch_id = request.args.get("branch", type=int)
    try:
        low, high = _number("min"), _number("max")
    except ValidationError as exc:
        flash(str(exc.message), "danger")
        low = high = None
    filters = release_list.Filters(
        decision=request.args.get("decision", ""),
        disagreement=request.args.get("disagreement", ""),
        min_total=low,
        max_total=high,
        sort=request.args.get("sort") or "branch",
        branch_id=branch_id,
    )
    page = release_list.list_page(
        current_user.id, period.id, filters, request.args.get("page", 1, type=int)
    )
    shown = {
        "decision": filters.decision,
        "disagreement": filters.disagreement,
        "sort": filters.sort,
        "min": request.args.get("min", ""),
        "max": request.args.get("max", ""),
    }
    return render_template(
        "committee/submissions.html",
        period=period,
        page=page,
        rows=page.rows,
        filters=shown,
        filter_args={"branch": branch_id, **{k: v for k, v in shown.items() if v}},
        filtered=filters.narrows,
        branches=all_branches(),
        branch_id=branch_id,
        limits=agreement.thresholds(period),
        rules=rules_for(period),
        mode_labels=MODE_LABELS,
        withdraw_until=releases.withdraw_until,
        outcome_label=decisions.outcome_label,
    )


def _scope() -> tuple[str, dict]:
    """Return the release scope of the request and the keyword arguments of releases.plan."""
    scope = request.values.get("scope", "selection")
    branch_id = request.values.get("branch_id", type=int)
    if scope == "branch":
        if not branch_id:
            raise ValidationError(_("请选择要发布的支部。"))
        return scope, {"branch_id": branch_id}
    if scope == "selection":
        ids = _ids()
        if not ids:
            raise ValidationError(_("请先勾选要发布的汇报。"))
        return scope, {"submission_ids": ids}
    return "period", {}


def _back(period: Period) -> ResponseReturnValue:
    return redirect(
        url_for(
            "committee.submissions", period_id=period.id, branch=request.values.get("branch_id")
        )
    )


def _confirmation(period: Period) -> ResponseReturnValue:
    try:
        scope, kwargs = _scope()
    except ValidationError as exc:
        flash(str(exc.message), "danger")
        return _back(period)
    found = releases.plan(period.id, **kwargs)
    return render_template(
        "committee/release_confirm.html",
        period=period,
        plan=found,
        scope=scope,
        branch_id=request.values.get("branch_id", type=int),
        selection=kwargs.get("submission_ids", []),
        rules=rules_for(period),
        window_hours=f"{releases.withdraw_window().total_seconds() / 3600:g}",
        outcome_label=decisions.outcome_label,
        rows={r.submission.id: r for r in agreement.rows(period, found.ready)},
    )


@bp.get("/periods/<int:period_id>/release")
@role_required(*COMMITTEE)
def confirm_release(period_id: int) -> ResponseReturnValue:
    """Ask before releasing: "将向 N 名积极分子发布结果", with who and who is left out."""
    return _confirmation(_period_or_404(period_id))


@bp.post("/periods/<int:period_id>/release")
@role_required(*COMMITTEE)
def release(period_id: int) -> ResponseReturnValue:
    """Release the set the committee confirmed; a changed set is refused, nothing released."""
    period = _period_or_404(period_id)
    confirm = request.form.get("confirm")
    if confirm is None:  # from the list: ask first, showing who would be released
        return _confirmation(period)
    try:
        _scope_name, kwargs = _scope()
    except ValidationError as exc:
        flash(str(exc.message), "danger")
        return _back(period)
    expected = [int(i) for i in confirm.split(",") if i.isdigit()]
    try:
        result = releases.release(current_user.id, period.id, expected_ids=expected, **kwargs)
    except HuibaoError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
        args: dict[str, Any] = {k: request.form.getlist(k) for k in ("scope", "branch_id", "ids")}
        return redirect(url_for("committee.confirm_release", period_id=period.id, **args))
    if result.released:
        flash(
            _("已向 %(n)d 名积极分子发布结果，积极分子现在可以看到。", n=len(result.released)),
            "success",
        )
    if result.skipped:
        flash(_("%(n)d 份尚未认定全部分数和结论，未发布。", n=len(result.skipped)), "warning")
    if not result.released and not result.skipped:
        flash(_("没有需要发布的结果。"), "info")
    return _back(period)


@bp.post("/submissions/<int:submission_id>/withdraw")
@role_required(*COMMITTEE)
def withdraw(submission_id: int) -> ResponseReturnValue:
    """Withdraw a release the activist has not opened yet, within the window."""
    submission = get_version_or_404(submission_id).submission
    try:
        releases.withdraw(current_user.id, submission.id)
    except HuibaoError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
    else:
        flash(_("已撤回发布，积极分子看不到这份结果了。可以修改后重新发布。"), "success")
    return redirect(url_for("committee.decide", submission_id=submission.id))


@bp.post("/periods/<int:period_id>/agree")
@role_required(*COMMITTEE)
def agree(period_id: int) -> ResponseReturnValue:
    """Agree the marks of the selection where both reviewers agree (their mean)."""
    period = _period_or_404(period_id)
    ids = _ids()
    back = request.form.get("back") or ""
    target = back if back.startswith("/committee/") and not back.startswith("//") else None
    if not ids:
        flash(_("请先勾选要认定分数的汇报。"), "danger")
        return redirect(target or url_for("committee.submissions", period_id=period.id))
    summary = agreement.bulk_agree(
        current_user.id, period.id, ids, adopt_suggestion=request.form.get("adopt") == "1"
    )
    if summary.agreed:
        flash(
            _("已为 %(n)d 份汇报认定分数（取审阅人的平均分）。", n=len(summary.agreed)), "success"
        )
    if summary.unadopted:
        flash(
            _(
                "建议结论为“需修改”的 %(n)d 份（%(names)s）没有自动采纳："
                "请逐份认定并说明需要重做的部分。",
                n=len(summary.unadopted),
                names=_("、").join(s.activist.name for s in summary.unadopted),
            ),
            "info",
        )
    for submission, reason in summary.refused:
        flash(_("%(name)s：%(reason)s。", name=submission.activist.name, reason=reason), "warning")
    return redirect(target or url_for("committee.submissions", period_id=period.id))


@bp.post("/periods/<int:period_id>/settings")
@role_required(*COMMITTEE)
def period_settings(period_id: int) -> ResponseReturnValue:
    """Save what activists see of a released result, and the period's thresholds."""
    period = _period_or_404(period_id)
    try:
        period_service.update_committee_settings(
            period.id,
            current_user.id,
            feedback_mode=request.form.get("feedback_mode", ""),
            disagreement_percent=_number("disagreement"),
            pass_min=_number("pass_min"),
            revise_min=_number("revise_min"),
        )
    except HuibaoError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
    else:
        flash(_("本周期的发布设置已保存。"), "success")
    return redirect(url_for("committee.submissions", period_id=period.id))
