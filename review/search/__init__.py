"""Search across transcripts and paper reports: the page (the API is review/api/search.py)."""

from flask import Blueprint

bp = Blueprint("search", __name__, url_prefix="/search")

from review.search import cli, routes  # noqa: E402,F401
