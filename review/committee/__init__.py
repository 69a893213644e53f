"""The committee's pages: dashboard, agreed marks, release, exports."""

from flask import Blueprint

bp = Blueprint("committee", __name__, url_prefix="/committee")

from review.committee import exports, routes  # noqa: E402,F401
