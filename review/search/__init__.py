"""Search across transcripts and paper reports: the page for reviewers and committee, and the API."""

from flask import Blueprint

bp = Blueprint("search", __name__, url_prefix="/search")

from review.search import api, cli, routes  # noqa: E402,F401
