"""Administration pages (admins only)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from review.admin import branch, lexicon, people, periods, queue, routes  # noqa: E402,F401
