"""JSON API v1 for the phone page, scripts and future clients."""

from __future__ import annotations

from flask import Blueprint, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from review.auth import is_token_authenticated
from review.errors import error_response
from review.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

PUBLIC_ENDPOINTS = {"api.create_session", "api.openapi"}
# All a user who must still change the initial password may do through the API.
PASSWORD_CHANGE_ENDPOINTS = {"api.change_password", "api.delete_session"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@bp.before_request
def require_auth() -> ResponseReturnValue | None:
    """Require a bearer token or a session; cookie-authenticated writes need a CSRF token."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.method == "OPTIONS":
        return None
    if not current_user.is_authenticated:
        return error_response(401)
    if current_user.must_change_password and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
        return error_response(
            403,
            "password_change_required",
            _("请先修改初始密码（POST /api/v1/password），然后才能使用其他功能。"),
        )
    # Only a request that really authenticated by its token skips CSRF: a junk
    # `Authorization` header next to a session cookie does not.
    if request.method not in SAFE_METHODS and not is_token_authenticated():
        csrf.protect()
    return None


from review.api import (  # noqa: E402,F401
    activist,
    exports,
    notifications,
    routes,
    search,
    submissions,
    uploads,
)
