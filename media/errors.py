"""The single exception type raised by the media layer."""

from __future__ import annotations

from collections.abc import Callable

CODES = frozenset(
    {
        "empty_file",
        "not_video",
        "forbidden_format",
        "undecodable",
        "too_short",
        "too_long",
        "bad_dimensions",
        "bad_frame_rate",
        "timeout",
        "out_of_memory",
        "transcode_failed",
        "transcribe_failed",
        "model_missing",
    }
)


class MediaError(Exception):
    """A media operation failed; `code` is machine-readable, the web layer translates it."""

    def __init__(
        self, code: str, detail: str = "", *, stderr: str = "", retryable: bool = False
    ) -> None:
        if code not in CODES:
            raise ValueError(f"unknown MediaError code {code!r}")
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
        self.stderr = stderr
        self.retryable = retryable

    def __reduce__(
        self,
    ) -> tuple[
        Callable[..., MediaError], tuple[str, str, str, bool]
    ]:  # keep pickling (RQ stores exceptions) working with kw-only args
        return (_rebuild, (self.code, self.detail, self.stderr, self.retryable))


def _rebuild(code: str, detail: str, stderr: str, retryable: bool) -> MediaError:
    """Recreate a MediaError when unpickling."""
    return MediaError(code, detail, stderr=stderr, retryable=retryable)
