"""Home pages: the index sends each role to its own start page."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from review.main import routes  # noqa: E402,F401  (routes attach to bp)
