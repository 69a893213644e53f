"""Media for reviewers and the committee: video, poster, captions and paper files.

Only people who may read the submission (review/access.py) get the bytes; every answer is
`Cache-Control: private, no-store` and honours HTTP Range. Every request that sends bytes is audited
(services/audit.record_read, de-duplicated per user and file within a window), whatever its
Range: a read in pieces is a read. Stored files leave through review/sendfile.py, which hands
them to the front server when SENDFILE_MODE says so.
"""

from __future__ import annotations

import mimetypes
from typing import TypeVar
from urllib.parse import quote

from flask import Response, abort, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from media.vtt import render_vtt
from review import clock, storage
from review.access import can_download_paper_original, get_version_or_404
from review.extensions import db
from review.models import PaperFile, SubmissionVersion
from review.reviews import bp
from review.reviews.guards import staff_only
from review.sendfile import send_private
from review.sendfile import unsatisfiable as _unsatisfiable
from review.services import audit, paper_pages

_R = TypeVar("_R", bound=BaseResponse)


def _private(resp: _R) -> _R:
    resp.headers["Cache-Control"] = "private, no-store"  # every read reaches the audit
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Content-Disposition"] = "inline"
    return resp


def audit_read(submission_id: int, file: str) -> None:
    """Audit the current user's read of a file of a submission (e.g. "video:12")."""
    audit.record_read(current_user.id, "submission", submission_id, file, ip=request.remote_addr)


def send_media(
    relative: str | None,
    mimetype: str | None = None,
    *,
    audit_as: tuple[int, str] | None = None,
) -> BaseResponse:
    """Send a file stored under MEDIA_ROOT, or let the front server send it (review/sendfile.py).

    audit_as=(submission id, file key): audited (audit_read) once the answer will carry bytes.
    """
    path = storage.resolve(relative)
    if path is None:
        abort(404)
    mimetype = mimetype or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    audit = None if audit_as is None else (lambda: audit_read(*audit_as))
    return send_private(path, mimetype, cache_control="private, no-store", before_send=audit)


def unsatisfiable(length: int) -> BaseResponse | None:
    """Return the 416 answer (private) when the request's Range cannot be served."""
    refusal = _unsatisfiable(length)
    return None if refusal is None else _private(refusal)


def _version(submission_id: int) -> SubmissionVersion:
    return get_version_or_404(submission_id)  # a draft is its activist's: never served here


@bp.get("/<int:submission_id>/video")
@staff_only
def video(submission_id: int) -> ResponseReturnValue:
    """Stream the browser-playable video."""
    version = _version(submission_id)
    if version.video is None:
        abort(404)
    video = version.video
    return send_media(video.playable_path, audit_as=(submission_id, f"video:{video.id}"))


@bp.get("/<int:submission_id>/poster")
@staff_only
def poster(submission_id: int) -> ResponseReturnValue:
    """Send the video's poster frame."""
    version = _version(submission_id)
    video = version.video
    if video is None:
        abort(404)
    return send_media(
        video.poster_path, "image/jpeg", audit_as=(submission_id, f"poster:{video.id}")
    )


@bp.get("/<int:submission_id>/captions.vtt")
@staff_only
def captions(submission_id: int) -> ResponseReturnValue:
    """Send WebVTT captions built from the transcript, human corrections included."""
    version = _version(submission_id)
    video = version.video
    if video is None or (not video.segments and not video.vtt_path):
        abort(404)
    read = (submission_id, f"captions:{video.id}")
    if not video.segments:
        return send_media(video.vtt_path, "text/vtt", audit_as=read)
    data = render_vtt(video.segments).encode()
    refusal = unsatisfiable(len(data))
    if refusal is not None:
        return refusal
    audit_read(*read)
    resp = Response(data, mimetype="text/vtt")
    return _private(resp.make_conditional(request, accept_ranges=True, complete_length=len(data)))


def _paper(submission_id: int, file_id: int) -> PaperFile:
    version = _version(submission_id)
    paper = db.session.get(PaperFile, file_id)
    if paper is None or paper.version_id != version.id:
        abort(404)
    return paper


@bp.get("/<int:submission_id>/paper/<int:file_id>/pages/<int:number>")
@staff_only
def paper_page(submission_id: int, file_id: int, number: int) -> Response:
    """Send one page of the paper report as an image with the viewer burned into it."""
    paper = _paper(submission_id, file_id)
    viewer = f"{current_user.name} {current_user.username}"
    try:
        data = paper_pages.watermarked_page(paper, number, viewer, clock.now())
    except paper_pages.PageError:
        abort(404)
    audit_read(submission_id, f"paper:{paper.id}")
    resp = Response(data, mimetype="image/jpeg")
    resp.headers["Cache-Control"] = "private, no-store"  # each view gets its own watermark
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


@bp.get("/<int:submission_id>/paper/<int:file_id>")
@staff_only
def paper_file(submission_id: int, file_id: int) -> BaseResponse:
    """Download the original paper file: the committee's export only, never a reviewer."""
    if not can_download_paper_original(current_user):
        abort(403)
    paper = _paper(submission_id, file_id)
    read = (submission_id, f"paper:{paper.id}:original")
    resp = send_media(paper.path, mimetypes.guess_type(paper.path)[0], audit_as=read)
    name = quote(paper.original_name or paper.path.rsplit("/", 1)[-1])
    resp.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return resp
