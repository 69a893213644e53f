"""Routes of the activist blueprint."""
from review.activist import bp  # noqa: F401
