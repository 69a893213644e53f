"""Admin pages for reporting periods and the rubric editor."""

from __future__ import annotations

from datetime import date
from typing import Literal, overload

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from review.access import role_required
from review.admin import bp
from review.exceptions import HuibaoError, ValidationError
from review.extensions import db
from review.models import Period, Role
from review.services import admin, rubrics
from review.services import periods as period_service


@overload
def _date(name: str, required: Literal[True] = True) -> date: ...
@overload
def _date(name: str, required: bool) -> date | None: ...


def _date(name: str, required: bool = True) -> date | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        if required:
            raise ValidationError(_("请填写日期。"))
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(
            _("日期“%(v)s”格式不对，请按 2026-12-31 的格式填写。", v=raw)
        ) from None


@bp.route("/periods", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def periods() -> ResponseReturnValue:
    """List periods; open a new one with the default rubric."""
    if request.method == "POST":
        try:
            created = period_service.open_period(
                request.form.get("name", ""),
                _date("opens"),
                _date("closes"),
                oath_required=request.form.get("oath") == "1",
                double_marking=request.form.get("double") == "1",
            )
        except HuibaoError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
        else:
            flash(_("已开启周期“%(name)s”。", name=created.name), "success")
        return redirect(url_for("admin.periods"))
    rows = list(db.session.scalars(select(Period).order_by(Period.opens_at.desc())))
    return render_template("admin/periods.html", periods=rows, today=date.today())


@bp.route("/periods/<int:period_id>", methods=["POST"])
@role_required(Role.ADMIN)
def update_period(period_id: int) -> ResponseReturnValue:
    """Extend the deadline, switch the oath and double marking, or close the period now."""
    try:
        if request.form.get("action") == "close":
            admin.close_period(period_id, current_user.id)
            flash(_("周期已截止，积极分子不能再提交。"), "success")
        else:
            admin.update_period(
                period_id,
                closes=_date("closes", required=False),
                oath_required=request.form.get("oath") == "1",
                double_marking=request.form.get("double") == "1",
                actor_id=current_user.id,
            )
            flash(_("周期设置已保存。"), "success")
    except HuibaoError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
    return redirect(url_for("admin.periods"))


def _criteria_from_form() -> list[rubrics.CriterionInput]:
    titles = request.form.getlist("title")
    maxes = request.form.getlist("max_points")
    descs = request.form.getlist("descriptors")
    out = []
    for n, title in enumerate(titles):
        if not title.strip():
            continue  # a blank row removes the criterion
        raw = maxes[n] if n < len(maxes) else ""
        try:
            points = int(raw)
        except ValueError:
            raise ValidationError(
                _("“%(t)s”的满分“%(v)s”不是整数。", t=title.strip(), v=raw)
            ) from None
        lines = (descs[n] if n < len(descs) else "").splitlines()
        out.append(rubrics.CriterionInput(title, points, lines))
    return out


@bp.route("/periods/<int:period_id>/rubric", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def rubric(period_id: int) -> ResponseReturnValue:
    """Edit a period's rubric; a rubric already used by a review is saved as a new version."""
    period = db.session.get(Period, period_id)
    if period is None:
        abort(404)
    if request.method == "POST":
        try:
            before = period.rubric_version_id
            version = rubrics.save_rubric(period.id, _criteria_from_form(), current_user.id)
        except HuibaoError as exc:
            db.session.rollback()
            flash(str(exc.message), "danger")
        else:
            flash(
                _("评分标准已保存为第 %(n)d 版；已有的评分仍按原版本保留。", n=version.number)
                if version.id != before
                else _("评分标准已保存。"),
                "success",
            )
            return redirect(url_for("admin.rubric", period_id=period.id))
    version = period.rubric_version
    return render_template(
        "admin/rubric.html",
        period=period,
        version=version,
        in_use=rubrics.is_in_use(version),
        format_level=rubrics.format_level,
        blank_rows=2,
    )
