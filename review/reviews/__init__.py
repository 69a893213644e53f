"""The reviewer workspace: queue, review page, autosave, media endpoints."""

from flask import Blueprint

bp = Blueprint("reviews", __name__, url_prefix="/reviews")

from review.reviews import media, phrases, routes  # noqa: E402,F401
