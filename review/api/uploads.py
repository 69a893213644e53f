"""API v1: tus 1.0.0 resumable uploads under /api/v1/uploads/ (thin views over the service)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, jsonify, make_response, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from review.api import bp
from review.api.openapi import ERROR, register
from review.api.serializers import upload_json
from review.errors import error_response
from review.limits import body_limit
from review.services import uploads
from review.tus import protocol

UPLOADS_PATH = f"{bp.url_prefix}/uploads"


def _tus(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """Answer 412 with Tus-Version unless the request speaks tus 1.0.0."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        if not protocol.is_supported_version(request.headers.get("Tus-Resumable")):
            return error_response(
                412,
                "tus_version",
                _("请求缺少 Tus-Resumable 头，或协议版本不受支持（需要 1.0.0）。"),
            )
        return view(*args, **kwargs)

    return wrapped


def _chunk_limit() -> int:
    return current_app.config["MAX_CHUNK_BYTES"]


def _chunk_too_large(limit: int):  # noqa: ANN202
    return error_response(
        413,
        "chunk_too_large",
        _("单次上传的数据过大（每次最多 %(mb)d MB），请分段上传。", mb=limit // 2**20),
    )


def _has_body() -> bool:
    return (
        bool(request.content_length)
        or request.headers.get("Transfer-Encoding", "").lower() == "chunked"
    )


def _progress_headers(upload) -> dict[str, str]:  # noqa: ANN001
    headers = {"Upload-Offset": str(upload.offset), "Upload-Length": str(upload.length)}
    if upload.completed_at is None:
        headers["Upload-Expires"] = protocol.expires_header(upload.expires_at)
    return headers


@bp.after_request
def add_tus_headers(response):  # noqa: ANN001, ANN201
    """Put Tus-Resumable, no-store and the CORS headers on every /uploads response."""
    if not request.path.startswith(UPLOADS_PATH):
        return response
    response.headers["Tus-Resumable"] = protocol.TUS_VERSION
    response.headers["Cache-Control"] = "no-store"
    if response.status_code == 412:
        response.headers["Tus-Version"] = protocol.TUS_VERSION
    elif response.status_code == 460:
        response.status = protocol.CHECKSUM_STATUS
    allowed = protocol.allowed_origins(current_app.config.get("CORS_ORIGINS"))
    cors = protocol.cors_headers(
        request.headers.get("Origin"), allowed, preflight=request.method == "OPTIONS"
    )
    if cors.pop("Vary", None):
        response.vary.add("Origin")
    response.headers.update(cors)
    return response


@bp.route("/uploads/", methods=["OPTIONS"], strict_slashes=False)
@bp.route("/uploads/<upload_id>", methods=["OPTIONS"])
def upload_options(upload_id: str | None = None) -> ResponseReturnValue:
    """Describe the tus server (public; also answers CORS preflights)."""
    response = make_response("", 204)
    response.headers.update(protocol.options_headers(current_app.config["MAX_UPLOAD_BYTES"]))
    return response


@bp.post("/uploads/", strict_slashes=False, provide_automatic_options=False)
@body_limit(_chunk_limit, streamed=True, refuse=_chunk_too_large)
@_tus
def create_upload() -> ResponseReturnValue:
    """Create an upload (tus creation; a body is stored as with PATCH)."""
    if request.headers.get("Upload-Defer-Length") is not None:
        return error_response(400, "defer_length", _("请在 Upload-Length 中给出文件大小。"))
    length = protocol.parse_length(request.headers.get("Upload-Length"))
    metadata = protocol.parse_metadata(request.headers.get("Upload-Metadata"))
    checksum = protocol.parse_checksum(request.headers.get("Upload-Checksum"))
    with_body = _has_body()
    if with_body and not protocol.is_offset_content_type(request.content_type):
        return error_response(
            415,
            "content_type",
            _("上传数据的 Content-Type 必须是 application/offset+octet-stream。"),
        )
    upload = uploads.create_upload(current_user.id, length, metadata)
    if with_body:
        upload = uploads.append_chunk(
            upload.id,
            current_user.id,
            0,
            request.stream,
            content_length=request.content_length,
            checksum=checksum,
        )
    response = make_response("", 201)
    response.headers["Location"] = url_for("api.show_upload", upload_id=upload.id)
    response.headers.update(_progress_headers(upload))
    return response


@bp.route("/uploads/<upload_id>", methods=["GET", "HEAD"], provide_automatic_options=False)
def show_upload(upload_id: str) -> ResponseReturnValue:
    """HEAD: the tus offset; GET: the upload as JSON, for the owner's page."""
    if request.method == "HEAD":
        return head_upload(upload_id)
    return jsonify(upload_json(uploads.get_upload(upload_id, current_user.id)))


@_tus
def head_upload(upload_id: str) -> ResponseReturnValue:
    """Return the stored offset of an upload (tus core HEAD)."""
    upload = uploads.get_upload(upload_id, current_user.id)
    response = make_response("", 200)
    response.headers.update(_progress_headers(upload))
    client_metadata = (upload.meta or {}).get("client")
    if client_metadata:
        response.headers["Upload-Metadata"] = protocol.encode_metadata(client_metadata)
    return response


@bp.patch("/uploads/<upload_id>", provide_automatic_options=False)
@body_limit(_chunk_limit, streamed=True, refuse=_chunk_too_large)
@_tus
def append_upload(upload_id: str) -> ResponseReturnValue:
    """Append the body at Upload-Offset (tus core PATCH, with the checksum extension)."""
    if not protocol.is_offset_content_type(request.content_type):
        return error_response(
            415,
            "content_type",
            _("上传数据的 Content-Type 必须是 application/offset+octet-stream。"),
        )
    offset = protocol.parse_offset(request.headers.get("Upload-Offset"))
    checksum = protocol.parse_checksum(request.headers.get("Upload-Checksum"))
    upload = uploads.append_chunk(
        upload_id,
        current_user.id,
        offset,
        request.stream,
        content_length=request.content_length,
        checksum=checksum,
    )
    response = make_response("", 204)
    response.headers.update(_progress_headers(upload))
    return response


@bp.delete("/uploads/<upload_id>", provide_automatic_options=False)
@_tus
def terminate_upload(upload_id: str) -> ResponseReturnValue:
    """Cancel an unfinished upload (tus termination)."""
    uploads.terminate_upload(upload_id, current_user.id)
    return make_response("", 204)


@bp.post("/uploads/<upload_id>", provide_automatic_options=False)
@body_limit(_chunk_limit, streamed=True, refuse=_chunk_too_large)
def override_upload(upload_id: str) -> ResponseReturnValue:
    """Honour X-HTTP-Method-Override for clients that can only send POST."""
    views = {"PATCH": append_upload, "DELETE": terminate_upload, "HEAD": head_upload}
    view = views.get(request.headers.get("X-HTTP-Method-Override", "").strip().upper())
    if view is None:
        return error_response(405)
    return view(upload_id)


_TUS_HEADERS = {
    name: {"schema": {"type": "string"}}
    for name in ("Tus-Resumable", "Upload-Offset", "Upload-Length", "Upload-Expires")
}


def _r(description: str, headers: tuple[str, ...] = ()) -> dict:
    body: dict = {"description": description}
    if headers:
        body["headers"] = {
            name: _TUS_HEADERS.get(name, {"schema": {"type": "string"}}) for name in headers
        }
    return body


def _errors(*codes: int) -> dict:
    return {
        str(c): {"description": "error", "content": {"application/json": {"schema": ERROR}}}
        for c in codes
    }


def _header(name: str, description: str, required: bool = True) -> dict:
    return {
        "name": name,
        "in": "header",
        "required": required,
        "description": description,
        "schema": {"type": "string"},
    }


_RESUMABLE = _header("Tus-Resumable", "1.0.0")
_ID = {"name": "upload_id", "in": "path", "required": True, "schema": {"type": "string"}}
_OPTIONS = {
    "summary": "tus capabilities and CORS preflight",
    "security": [],
    "responses": {
        "204": _r(
            "capabilities",
            ("Tus-Version", "Tus-Extension", "Tus-Max-Size", "Tus-Checksum-Algorithm"),
        )
    },
}

register(
    f"{UPLOADS_PATH}/",
    {
        "options": _OPTIONS,
        "post": {
            "summary": "Create a tus upload (activists only); Upload-Metadata: filename, period",
            "parameters": [
                _RESUMABLE,
                _header("Upload-Length", "total bytes"),
                _header("Upload-Metadata", "filename <b64>,period <b64 period id>"),
                _header("Upload-Checksum", "sha1 <b64> of an optional body", False),
            ],
            "responses": {
                "201": _r(
                    "created; Location is the upload URL",
                    ("Location", "Upload-Offset", "Upload-Expires"),
                ),
                **_errors(400, 401, 403, 409, 412, 413, 415, 423, 460, 503),
            },
        },
    },
)
register(
    f"{UPLOADS_PATH}/{{upload_id}}",
    {
        "options": {**_OPTIONS, "parameters": [_ID]},
        "head": {
            "summary": "Offset of an upload (owner only)",
            "parameters": [_ID, _RESUMABLE],
            "responses": {
                "200": _r(
                    "offset",
                    ("Upload-Offset", "Upload-Length", "Upload-Expires", "Upload-Metadata"),
                ),
                "401": _r("error"),
                "404": _r("error"),
                "410": _r("error"),
                "412": _r("error"),
            },
        },
        "get": {
            "summary": "An upload as JSON (owner only)",
            "parameters": [_ID],
            "responses": {
                "200": {
                    "description": "upload",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Upload"}}
                    },
                },
                **_errors(401, 404, 410),
            },
        },
        "patch": {
            "summary": "Append bytes at Upload-Offset (application/offset+octet-stream)",
            "parameters": [
                _ID,
                _RESUMABLE,
                _header("Upload-Offset", "current offset"),
                _header("Upload-Checksum", "sha1 <b64> of this chunk", False),
            ],
            "requestBody": {
                "required": True,
                "content": {
                    protocol.OFFSET_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}
                },
            },
            "responses": {
                "204": _r("stored", ("Upload-Offset", "Upload-Expires")),
                **_errors(400, 401, 404, 409, 410, 412, 413, 415, 423, 460, 503, 507),
            },
        },
        "delete": {
            "summary": "Cancel an unfinished upload",
            "parameters": [_ID, _RESUMABLE],
            "responses": {"204": _r("terminated"), **_errors(401, 404, 409, 410, 412, 423, 503)},
        },
        "post": {
            "summary": "X-HTTP-Method-Override: PATCH, DELETE or HEAD",
            "parameters": [_ID, _header("X-HTTP-Method-Override", "PATCH, DELETE or HEAD")],
            "responses": {"204": _r("as the overridden method"), **_errors(400, 401, 405)},
        },
    },
    schemas={
        "Upload": {
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "offset": {"type": "integer"},
                "length": {"type": "integer"},
                "filename": {"type": "string"},
                "period_id": {"type": "integer"},
                "completed": {"type": "boolean"},
                "video_id": {"type": ["integer", "null"]},
                "expires_at": {"type": ["string", "null"], "format": "date-time"},
            },
        }
    },
)
