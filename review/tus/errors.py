"""The tus upload errors, each with the HTTP status the protocol answers it with."""

from __future__ import annotations

from review.exceptions import ConflictError, HuibaoError


class UploadGoneError(HuibaoError):
    """The upload expired or was terminated (tus: 410)."""

    code = "upload_gone"
    status = 410


class UploadLockedError(HuibaoError):
    """Another request is writing to this upload right now (tus: 423)."""

    code = "upload_locked"
    status = 423


class OffsetMismatchError(ConflictError):
    """Upload-Offset differs from the stored offset (tus: 409)."""

    code = "offset_mismatch"


class UploadTooLargeError(HuibaoError):
    """Over the size limit, or more bytes than Upload-Length (tus: 413)."""

    code = "too_large"
    status = 413


class ChecksumMismatchError(HuibaoError):
    """The chunk does not match Upload-Checksum; it was discarded (tus: 460)."""

    code = "checksum_mismatch"
    status = 460


class StorageError(HuibaoError):
    """The server could not store the bytes (disk full, lost file)."""

    code = "storage_error"
    status = 507


class UploadUnavailableError(HuibaoError):
    """Redis, which guards uploads against concurrent writes, is unreachable (retry later)."""

    code = "unavailable"
    status = 503
