"""The activist's phone pages: home, video upload, paper report, submit, feedback."""

from flask import Blueprint

bp = Blueprint("activist", __name__, url_prefix="/my")

from review.activist import media, paper, routes  # noqa: E402,F401  (routes on bp)
