"""Routes of the reviews blueprint."""
from review.reviews import bp  # noqa: F401
