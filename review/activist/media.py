"""Owner-only media for the activist: the processed video, its poster and the paper files.

Reviewers get their own audited, watermarked endpoints in the reviews blueprint; these serve
only the activist's own files, through review/sendfile.py (Range, or the front server).
"""

from __future__ import annotations

from pathlib import Path

from flask import abort
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from review import storage
from review.access import get_submission_or_404, role_required
from review.activist import bp
from review.extensions import db
from review.models import PaperFile, Role, SubmissionVersion, Video
from review.sendfile import send_private

MIMETYPES = {
    "pdf": "application/pdf",
    "photo": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _own_video(video_id: int) -> Video:
    """Return a video attached to one of the caller's versions; 404 otherwise."""
    version = db.session.scalar(
        select(SubmissionVersion).where(SubmissionVersion.video_id == video_id).limit(1)
    )
    if version is None:
        abort(404)
    get_submission_or_404(version.submission_id)
    return db.session.get_one(Video, video_id)


@bp.route("/videos/<int:video_id>/play")
@role_required(Role.ACTIVIST)
def play_video(video_id: int) -> ResponseReturnValue:
    """Stream the browser-playable video (Range requests allowed)."""
    return send_private(storage.path(_own_video(video_id).playable_path), "video/mp4")


@bp.route("/videos/<int:video_id>/poster")
@role_required(Role.ACTIVIST)
def video_poster(video_id: int) -> ResponseReturnValue:
    """Return the video's poster frame."""
    return send_private(storage.path(_own_video(video_id).poster_path), "image/jpeg")


@bp.route("/papers/<int:file_id>")
@role_required(Role.ACTIVIST)
def paper_file(file_id: int) -> ResponseReturnValue:
    """Return one stored file of the caller's paper report (PDF, DOCX or page photo)."""
    paper = db.session.get(PaperFile, file_id) or abort(404)
    version = db.session.get_one(SubmissionVersion, paper.version_id)
    get_submission_or_404(version.submission_id)
    download = paper.kind == "docx"
    return send_private(
        storage.paper_path(paper),
        MIMETYPES.get(paper.kind, "application/octet-stream"),
        as_attachment=download,
        download_name=paper.original_name or Path(paper.path).name,
    )
