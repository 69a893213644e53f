"""JSON shapes of the API's objects."""

from __future__ import annotations

from typing import Any

from flask import current_app

from review.models import Submission, SubmissionVersion, Upload, Video
from review.services.decisions import outcome_label
from review.services.media_errors import flag_label, reason
from review.services.submissions import Feedback


def video_json(video: Video | None) -> dict | None:
    """Serialise a video's processing state, progress, error and transcript."""
    if video is None:
        return None
    cfg = current_app.config
    data = {
        "id": video.id,
        "state": video.state,
        "stage": video.stage,
        "reviewable": video.reviewable,
        "transcoded": video.transcoded,
        "progress": video.progress,
        "duration": video.duration,
        "size": video.size_bytes,
        "sha256": video.sha256,
        "width": video.width,
        "height": video.height,
        "flags": [{"code": f, "message": flag_label(f)} for f in video.flags],
        "error": None,
        "transcript": None,
    }
    if video.error_code:
        data["error"] = {
            "code": video.error_code,
            "message": reason(
                video.error_code, min_seconds=cfg["MIN_DURATION"], max_seconds=cfg["MAX_DURATION"]
            ),
        }
    if video.transcript_engine is not None:
        segments: list[dict[str, Any]] = [
            {"start": s.start, "end": s.end, "text": s.text} for s in video.segments
        ]
        data["transcript"] = {
            "text": "".join(s["text"] for s in segments),
            "segments": segments,
            "engine": video.transcript_engine,
        }
    return data


def submission_json(
    submission: Submission, *, detail: bool = False, version: SubmissionVersion | None = None
) -> dict:
    """Serialise a submission as of version (default: its newest); detail adds the transcript.

    Callers pass the version the reader may read (access.readable_version).
    """
    version = version or submission.current
    data = {
        "id": submission.id,
        "state": submission.state,
        "period": {"id": submission.period.id, "name": submission.period.name},
        "activist": {
            "id": submission.activist.id,
            "username": submission.activist.username,
            "name": submission.activist.name,
        },
        "version": version.number if version else None,
        "paper": {"kind": version.paper_kind} if version and version.paper_kind else None,
        "updated_at": submission.updated_at.isoformat(),
    }
    video = version.video if version else None
    if detail:
        data["video"] = video_json(video)
        from review.services.analyses import analyses_json

        data["analyses"] = analyses_json(version)
    else:
        data["video"] = (
            None
            if video is None
            else {"id": video.id, "state": video.state, "progress": video.progress}
        )
    return data


def result_json(feedback: Feedback | None) -> dict | None:
    """Serialise a released result as the period lets the activist see it (None before)."""
    if feedback is None:
        return None
    return {
        "outcome": feedback.outcome,
        "outcome_label": outcome_label(feedback.outcome),
        "comment": feedback.comment,
        "released_at": feedback.released_at.isoformat(),
        "shows": feedback.rules.mode,
        "marks": [
            {
                "criterion_id": c.id,
                "title": c.title,
                "points": points,
                "max_points": c.max_points,
                "notes": feedback.notes.get(c.id, []),
            }
            for c, points in feedback.marks
        ],
        "total": feedback.total if feedback.marks else None,
        "max_total": feedback.max_total if feedback.marks else None,
        "overall": feedback.overall,
        "comments": [{"at": c.at_seconds, "text": c.text} for c in feedback.comments],
    }


def upload_json(upload: Upload) -> dict:
    """Serialise an upload for the API (the owner's view)."""
    return {
        "id": upload.id,
        "offset": upload.offset,
        "length": upload.length,
        "filename": upload.filename,
        "period_id": upload.period_id,
        "completed": upload.completed_at is not None,
        "video_id": upload.video_id,
        "expires_at": None if upload.completed_at else upload.expires_at.isoformat(),
    }
