"""The comment library's JSON endpoints, used by the review page (static/js/review/library.js)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from review.access import role_required
from review.exceptions import HuibaoError, ValidationError
from review.models import Role
from review.reviews import bp
from review.reviews.guards import json_error
from review.services import phrases


def _body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError(_("常用评语的数据格式不正确，请刷新页面后重试。"))
    return data


def _branch(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("支部编号不正确。")) from None


@bp.get("/phrases")
@role_required(Role.REVIEWER)
def list_phrases() -> ResponseReturnValue:
    """The reviewer's phrases and their branches' shared ones (JSON)."""
    try:
        found = phrases.list_phrases(current_user.id)
    except HuibaoError as exc:
        return json_error(exc)
    return jsonify(phrases=[p.as_dict() for p in found])


@bp.post("/phrases")
@role_required(Role.REVIEWER)
def add_phrase() -> ResponseReturnValue:
    """Save a note or comment as a phrase: {text, criterion?, branch_id?} (JSON)."""
    try:
        data = _body()
        text, criterion = data.get("text"), data.get("criterion")
        if not isinstance(text, str) or not isinstance(criterion, str | None):
            raise ValidationError(_("常用评语的数据格式不正确，请刷新页面后重试。"))
        saved = phrases.add_phrase(current_user.id, text, criterion, _branch(data.get("branch_id")))
    except HuibaoError as exc:
        return json_error(exc)
    return jsonify(saved.as_dict()), 201


@bp.post("/phrases/<int:phrase_id>/share")
@role_required(Role.REVIEWER)
def share_phrase(phrase_id: int) -> ResponseReturnValue:
    """Share the owner's phrase with a branch, or stop sharing it: {branch_id|null} (JSON)."""
    try:
        shared = phrases.share_phrase(current_user.id, phrase_id, _branch(_body().get("branch_id")))
    except HuibaoError as exc:
        return json_error(exc)
    return jsonify(shared.as_dict())


@bp.delete("/phrases/<int:phrase_id>")
@role_required(Role.REVIEWER)
def delete_phrase(phrase_id: int) -> ResponseReturnValue:
    """Delete the owner's phrase."""
    try:
        phrases.delete_phrase(current_user.id, phrase_id)
    except HuibaoError as exc:
        return json_error(exc)
    return "", 204
