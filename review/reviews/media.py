"""Media for reviewers and the committee: video, poster, captions and paper files.

Only people who may read the submission (review/access.py) get the bytes; every answer is
`Cache-Control: private` and honours HTTP Range. SENDFILE_MODE hands the byte-sending to the
front server: "x-accel" answers `X-Accel-Redirect: <SENDFILE_ACCEL_PREFIX>/<path under
MEDIA_ROOT>` (an nginx `internal` location aliased to MEDIA_ROOT), "x-sendfile" answers
`X-Sendfile: <absolute path>` (Apache mod_xsendfile, lighttpd).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import quote

from flask import Response, abort, current_app, request, send_file
from flask_login import current_user
from werkzeug.exceptions import RequestedRangeNotSatisfiable
from werkzeug.http import parse_range_header

from media.vtt import render_vtt
from review.access import get_version_or_404
from review.extensions import db
from review.models import PaperFile, SubmissionVersion
from review.reviews import bp
from review.reviews.guards import staff_only
from review.services import audit

SHOWABLE = ("application/pdf", "image/jpeg", "image/png", "image/webp", "image/gif")
MAX_AGE = 600


def _private(resp: Response) -> Response:
    resp.headers["Cache-Control"] = f"private, max-age={MAX_AGE}"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Content-Disposition"] = "inline"
    return resp


def _opening() -> bool:
    """Tell whether this request starts reading a file (not a seek inside it)."""
    return request.headers.get("Range", "bytes=0-").replace(" ", "") in ("bytes=0-", "bytes=0-1")


def send_media(relative: str | None, mimetype: str | None = None) -> Response:
    """Send a file stored under MEDIA_ROOT, or let the front server send it."""
    if not relative:
        abort(404)
    root = Path(current_app.config["MEDIA_ROOT"]).resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        abort(404)
    mimetype = mimetype or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    mode = current_app.config.get("SENDFILE_MODE", "")
    if mode == "x-accel":
        prefix = current_app.config.get("SENDFILE_ACCEL_PREFIX", "/protected-media/").rstrip("/")
        resp = Response(mimetype=mimetype)
        resp.headers["X-Accel-Redirect"] = f"{prefix}/{quote(path.relative_to(root).as_posix())}"
        return _private(resp)
    if mode == "x-sendfile":
        resp = Response(mimetype=mimetype)
        resp.headers["X-Sendfile"] = str(path)
        return _private(resp)
    refusal = unsatisfiable(path.stat().st_size)
    if refusal is not None:  # checked first: send_file would leave the file open when it raises
        return refusal
    return _private(send_file(path, mimetype=mimetype, conditional=True, max_age=MAX_AGE))


def unsatisfiable(length: int) -> Response | None:
    """Return the 416 answer when the request's Range cannot be served from length bytes."""
    header = request.headers.get("Range")
    if not header:
        return None
    ranges = parse_range_header(header)
    if ranges is not None and ranges.range_for_length(length) is not None:
        return None
    return _private(RequestedRangeNotSatisfiable(length=length).get_response())


def _version(submission_id: int) -> SubmissionVersion:
    return get_version_or_404(submission_id)  # a draft is its activist's: never served here


def _audit(submission_id: int, what: str) -> None:
    if _opening():
        audit.record(
            current_user.id,
            "media.view",
            "submission",
            submission_id,
            {"file": what},
            ip=request.remote_addr,
        )


@bp.get("/<int:submission_id>/video")
@staff_only
def video(submission_id: int):
    """Stream the browser-playable video."""
    version = _version(submission_id)
    if version.video is None:
        abort(404)
    _audit(submission_id, "video")
    return send_media(version.video.playable_path)


@bp.get("/<int:submission_id>/poster")
@staff_only
def poster(submission_id: int):
    """Send the video's poster frame."""
    version = _version(submission_id)
    return send_media(version.video.poster_path if version.video else None, "image/jpeg")


@bp.get("/<int:submission_id>/captions.vtt")
@staff_only
def captions(submission_id: int):
    """Send WebVTT captions built from the transcript, human corrections included."""
    version = _version(submission_id)
    video = version.video
    if video is None or (not video.segments and not video.vtt_path):
        abort(404)
    if not video.segments:
        return send_media(video.vtt_path, "text/vtt")
    data = render_vtt(video.segments).encode()
    refusal = unsatisfiable(len(data))
    if refusal is not None:
        return refusal
    resp = Response(data, mimetype="text/vtt")
    return _private(resp.make_conditional(request, accept_ranges=True, complete_length=len(data)))


@bp.get("/<int:submission_id>/paper/<int:file_id>")
@staff_only
def paper_file(submission_id: int, file_id: int):
    """Show one file of the paper report in the page (PDF or page photo; never a download)."""
    version = _version(submission_id)
    paper = db.session.get(PaperFile, file_id)
    if paper is None or paper.version_id != version.id:
        abort(404)
    mimetype = mimetypes.guess_type(paper.path)[0]
    if mimetype not in SHOWABLE:
        abort(404)
    _audit(submission_id, f"paper:{paper.id}")
    return send_media(paper.path, mimetype)
