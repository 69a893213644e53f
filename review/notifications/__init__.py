"""Blueprint for the in-app inbox (消息) and the user's own notification settings."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)

from review.notifications import routes  # noqa: E402,F401
