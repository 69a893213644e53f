"""tus 1.0.0 header parsing and the response headers we answer with (no Flask, no DB)."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Mapping
from datetime import datetime

from flask_babel import lazy_gettext as _l
from werkzeug.http import http_date

from review.exceptions import ValidationError

TUS_VERSION = "1.0.0"
EXTENSIONS = ("creation", "creation-with-upload", "termination", "expiration", "checksum")
CHECKSUM_ALGORITHMS = ("sha1",)
OFFSET_CONTENT_TYPE = "application/offset+octet-stream"
MAX_METADATA_CHARS = 4096
CHECKSUM_STATUS = "460 Checksum Mismatch"

EXPOSE_HEADERS = (
    "Location",
    "Upload-Offset",
    "Upload-Length",
    "Upload-Metadata",
    "Upload-Expires",
    "Tus-Resumable",
    "Tus-Version",
    "Tus-Extension",
    "Tus-Max-Size",
    "Tus-Checksum-Algorithm",
)
ALLOW_HEADERS = (
    "Authorization",
    "Content-Type",
    "Tus-Resumable",
    "Upload-Length",
    "Upload-Metadata",
    "Upload-Offset",
    "Upload-Checksum",
    "Upload-Defer-Length",
    "X-HTTP-Method-Override",
    "X-CSRFToken",
    "X-CSRF-Token",
    "X-Requested-With",
)
ALLOW_METHODS = ("POST", "GET", "HEAD", "PATCH", "DELETE", "OPTIONS")

_DIGITS = re.compile(r"[0-9]{1,19}")
_KEY = re.compile(r"[!-~]+")  # printable ASCII without space; commas are split out first
_DIGEST_SIZES = {"sha1": 20}


def is_supported_version(value: str | None) -> bool:
    """Tell whether a request's Tus-Resumable header names the version we speak."""
    return (value or "").strip() == TUS_VERSION


def is_offset_content_type(value: str | None) -> bool:
    """Tell whether a Content-Type is application/offset+octet-stream (parameters ignored)."""
    return (value or "").split(";", 1)[0].strip().lower() == OFFSET_CONTENT_TYPE


def _non_negative(value: str | None, code: str, message) -> int:  # noqa: ANN001
    if value is None or not _DIGITS.fullmatch(value.strip()):
        raise ValidationError(message, code=code)
    return int(value.strip())


def parse_length(value: str | None) -> int:
    """Parse Upload-Length: a non-negative decimal integer, nothing else."""
    return _non_negative(value, "bad_upload_length", _l("Upload-Length 缺失或不是有效的非负整数。"))


def parse_offset(value: str | None) -> int:
    """Parse Upload-Offset: a non-negative decimal integer, nothing else."""
    return _non_negative(value, "bad_upload_offset", _l("Upload-Offset 缺失或不是有效的非负整数。"))


def parse_metadata(header: str | None) -> dict[str, str | None]:
    """Parse Upload-Metadata ("key base64,key2 base64,key3") into {key: text or None}.

    Raises:
        ValidationError: too long, an empty, duplicate or non-ASCII key, bad base64 or
            a value that is not UTF-8 text.
    """
    if header is None or not header.strip():
        return {}
    if len(header) > MAX_METADATA_CHARS:
        raise ValidationError(_l("Upload-Metadata 过长。"), code="bad_metadata")
    result: dict[str, str | None] = {}
    for pair in header.split(","):
        parts = pair.strip().split(" ")
        key = parts[0]
        if len(parts) > 2 or not _KEY.fullmatch(key) or key in result:
            raise ValidationError(_l("Upload-Metadata 格式有误。"), code="bad_metadata")
        if len(parts) == 1:
            result[key] = None
            continue
        try:
            result[key] = base64.b64decode(parts[1], validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            raise ValidationError(
                _l("Upload-Metadata 中“%(key)s”的值不是有效的 Base64 编码文本。", key=key),
                code="bad_metadata",
            ) from None
    return result


def encode_metadata(metadata: Mapping[str, str | None]) -> str:
    """Encode {key: text or None} as an Upload-Metadata header value."""
    return ",".join(
        key if value is None else f"{key} {base64.b64encode(value.encode()).decode()}"
        for key, value in metadata.items()
    )


def parse_checksum(header: str | None) -> tuple[str, bytes] | None:
    """Parse Upload-Checksum ("sha1 <base64>") into (algorithm, digest); None when absent.

    Raises:
        ValidationError: an unsupported algorithm or a malformed digest (tus: 400).
    """
    if header is None or not header.strip():
        return None
    algorithm, _, encoded = header.strip().partition(" ")
    algorithm = algorithm.lower()
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise ValidationError(_l("不支持该校验算法，请使用 sha1。"), code="checksum_algorithm")
    try:
        digest = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        digest = b""
    if len(digest) != _DIGEST_SIZES[algorithm]:
        raise ValidationError(_l("Upload-Checksum 格式有误。"), code="bad_checksum")
    return algorithm, digest


def expires_header(moment: datetime) -> str:
    """Format an Upload-Expires value (an RFC 7231 HTTP date)."""
    return http_date(moment)


def options_headers(max_size: int) -> dict[str, str]:
    """Return the headers of an OPTIONS answer: what this server supports."""
    return {
        "Tus-Version": TUS_VERSION,
        "Tus-Extension": ",".join(EXTENSIONS),
        "Tus-Max-Size": str(max_size),
        "Tus-Checksum-Algorithm": ",".join(CHECKSUM_ALGORITHMS),
    }


def allowed_origins(setting: str | Iterable[str] | None) -> set[str]:
    """Normalise the CORS_ORIGINS setting (a comma-separated string or a list) to a set."""
    if not setting:
        return set()
    items = setting.split(",") if isinstance(setting, str) else setting
    return {item.strip().rstrip("/") for item in items if item and item.strip()}


def cors_headers(origin: str | None, allowed: set[str], preflight: bool) -> dict[str, str]:
    """Return CORS headers: exposed tus headers always, an allowed origin only when configured.

    The Origin is echoed only when it is listed in allowed; credentials are never allowed,
    so a foreign page can at most use a bearer token it already has.
    """
    headers = {"Access-Control-Expose-Headers": ", ".join(EXPOSE_HEADERS)}
    if preflight:
        headers["Access-Control-Allow-Methods"] = ", ".join(ALLOW_METHODS)
        headers["Access-Control-Allow-Headers"] = ", ".join(ALLOW_HEADERS)
        headers["Access-Control-Max-Age"] = "86400"
    if origin and origin.rstrip("/") in allowed:
        headers["Access-Control-Allow-Origin"] = origin
        headers["Vary"] = "Origin"
    return headers
