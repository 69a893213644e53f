"""`flask whisper ...` commands (model conversion and checks)."""
from review.cli import bp  # noqa: F401  (commands attach to the CLI blueprint)
