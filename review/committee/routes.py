"""Routes of the committee blueprint."""
from review.committee import bp  # noqa: F401
