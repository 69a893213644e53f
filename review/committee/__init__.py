"""The committee's pages: dashboard, agreed marks, release, exports, the audit trail."""

from flask import Blueprint

bp = Blueprint("committee", __name__, url_prefix="/committee")

from review.committee import exports, releases, routes, trail  # noqa: E402,F401
