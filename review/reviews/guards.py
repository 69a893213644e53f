"""Guards for the workspace's media and JSON endpoints (no login redirect, JSON errors)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, abort, jsonify
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from review.exceptions import HuibaoError
from review.models import Role

STAFF = (Role.REVIEWER, Role.COMMITTEE)  # admins manage; they read no report


def staff_only(view: Callable) -> Callable:
    """Allow reviewers and the committee; answer 403 to everyone else, anonymous included.

    Media and autosave requests come from <video>, <img> and fetch(): a redirect to the login
    page would only be misread as a broken file, so they get a plain refusal.
    """

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if not current_user.is_authenticated or not current_user.has_role(*STAFF):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def json_error(exc: HuibaoError) -> tuple[Response, int]:
    """Turn a domain error into the JSON answer the page's script shows."""
    return jsonify(error={"code": exc.code, "message": str(exc.message)}), exc.status


def json_refusal(status: int) -> tuple[Response, int]:
    """Answer a JSON endpoint's refusal with a Chinese message."""
    message = {
        403: _("您没有权限执行此操作；如果登录已过期，请重新登录。"),
        404: _("找不到该内容，或您无权查看。"),
    }.get(status, _("页面已过期或请求有误，请刷新页面后重试。"))
    return jsonify(error={"code": str(status), "message": message}), status
