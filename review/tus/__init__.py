"""The tus 1.0.0 resumable-upload protocol: header parsing and partial-file storage."""

from review.tus import files, protocol
from review.tus.protocol import OFFSET_CONTENT_TYPE, TUS_VERSION

__all__ = ["OFFSET_CONTENT_TYPE", "TUS_VERSION", "files", "protocol"]
