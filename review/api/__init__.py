"""JSON API v1 for the phone page, scripts and future clients."""

from __future__ import annotations

from flask import Blueprint, request
from flask_login import current_user

from review.auth import bearer_token
from review.errors import error_response
from review.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

PUBLIC_ENDPOINTS = {"api.create_session", "api.openapi"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


@bp.before_request
def require_auth():
    """Require a bearer token or a session; cookie-authenticated writes need a CSRF token."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.method == "OPTIONS":
        return None
    if not current_user.is_authenticated:
        return error_response(401)
    if request.method not in SAFE_METHODS and bearer_token(request) is None:
        csrf.protect()
    return None


from review.api import (  # noqa: E402,F401
    exports,
    routes,
    submissions,
    uploads,
)
