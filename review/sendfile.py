"""Send a private stored file, or let the front server send it: one rule for every download.

Every private file (reviewer and activist media, paper files, committee exports) leaves
through `send_private` after the view checked who may read it. SENDFILE_MODE hands the
byte-sending to the front server, which then also answers Range requests:
- "x-accel": `X-Accel-Redirect: <SENDFILE_ACCEL_PREFIX>/<path under MEDIA_ROOT>` for nginx's
  `internal` location aliased to MEDIA_ROOT (deploy/nginx/huibao.conf);
- "x-sendfile": `X-Sendfile: <absolute path>` (Apache mod_xsendfile, lighttpd);
- "" (default): the app sends the bytes itself with Range support.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from flask import Response, abort, current_app, request, send_file
from werkzeug.exceptions import RequestedRangeNotSatisfiable
from werkzeug.http import parse_range_header
from werkzeug.wrappers import Response as BaseResponse

from review import storage


def unsatisfiable(length: int) -> BaseResponse | None:
    """Return the 416 answer when the request's Range cannot be served from length bytes."""
    header = request.headers.get("Range")
    if not header:
        return None
    ranges = parse_range_header(header)
    if ranges is not None and ranges.range_for_length(length) is not None:
        return None
    return RequestedRangeNotSatisfiable(length=length).get_response()


def send_private(
    path: Path | None,
    mimetype: str,
    *,
    cache_control: str = "private, no-store",
    as_attachment: bool = False,
    download_name: str | None = None,
    content_disposition: str | None = None,
    before_send: Callable[[], object] | None = None,
) -> BaseResponse:
    """Answer a file under MEDIA_ROOT to a reader the caller has authorised (404 when missing).

    Args:
        content_disposition: a ready header value (e.g. a Chinese file name with its ASCII
            fallback); otherwise `inline`, or `attachment` with download_name.
        before_send: called once the answer will carry bytes (not for a 404 or a 416), e.g.
            to audit the read.
    """
    root = storage.root().resolve()
    real = Path(path).resolve() if path else None
    if real is None or not real.is_relative_to(root) or not real.is_file():
        abort(404)
    mode = current_app.config.get("SENDFILE_MODE", "")
    # The front server answers Range itself; otherwise 416 is checked first (send_file would
    # leave the file open when it raises).
    refusal = None if mode else unsatisfiable(real.stat().st_size)
    if refusal is None and before_send is not None:
        before_send()
    resp: BaseResponse
    if refusal is not None:
        resp = refusal
    elif mode in ("x-accel", "x-sendfile"):
        resp = Response(content_type=mimetype)  # as given: "text/csv; charset=utf-8" stays whole
        if mode == "x-accel":
            prefix = current_app.config["SENDFILE_ACCEL_PREFIX"]
            resp.headers["X-Accel-Redirect"] = storage.accel_path(real, prefix)
        else:
            resp.headers["X-Sendfile"] = str(real)
    else:
        resp = send_file(
            real,
            mimetype=mimetype,
            conditional=True,
            max_age=0,
            as_attachment=as_attachment,
            download_name=download_name,
        )
    if content_disposition:
        resp.headers["Content-Disposition"] = content_disposition
    elif as_attachment and "Content-Disposition" not in resp.headers:
        name = download_name or real.name
        fallback = name.encode("ascii", "ignore").decode() or real.name
        resp.headers.set(
            "Content-Disposition",
            "attachment",
            filename=fallback,
            **{"filename*": f"UTF-8''{quote(name)}"},
        )
    elif not as_attachment:
        resp.headers["Content-Disposition"] = "inline"
    resp.headers["Cache-Control"] = cache_control
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


def send_built(
    data: bytes,
    stored_as: Path,
    mimetype: str,
    *,
    content_disposition: str,
    before_send: Callable[[], object] | None = None,
) -> BaseResponse:
    """Answer a download built for this request (assessment sheet, API export).

    With a front server configured (SENDFILE_MODE) it is stored first and leaves through
    `send_private` like every other private file; otherwise the bytes go out from memory.
    """
    if current_app.config.get("SENDFILE_MODE", ""):
        storage.write_bytes(stored_as, data)
        return send_private(
            stored_as, mimetype, content_disposition=content_disposition, before_send=before_send
        )
    if before_send is not None:
        before_send()
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": content_disposition})
