"""Analyses that help reviewers: oath check, similarity, consistency, speech flags (hints only).

enqueue_analyses(version_id) queues the job (after a submission, and once its video is
ready); run_analyses does the work and stores one Analysis row per kind; analyses_json
shows each viewer what their role may see.
"""

from __future__ import annotations

import logging
import zlib
from typing import Any

from flask import current_app, has_request_context
from flask_babel import gettext
from redis.exceptions import RedisError
from rq import Retry
from rq.exceptions import DuplicateJobError
from sqlalchemy import select

from review import storage
from review.extensions import db
from review.models import Analysis, Role, SubmissionVersion, User, Video, VideoState
from review.services.analyses import similar
from review.services.media_errors import N_, flag_label

log = logging.getLogger(__name__)

JOB_FUNC = "workers.analyses.analyse_version"
VERDICTS = {
    "reading": N_("照读"),
    "summary": N_("概述"),
    "different": N_("内容不同"),
    "not_comparable": N_("无法比较"),
}


def _fingerprint(version: SubmissionVersion) -> str:
    video = version.video
    parts = [version.id, version.submitted_at is not None, version.paper_text or ""]
    if video is not None:
        parts += [
            video.id,
            video.state,
            video.transcript_engine or "",
            len(video.segments),
            max((s.corrected_at.isoformat() for s in video.segments if s.corrected_at), default=""),
        ]
    return f"{zlib.crc32(repr(parts).encode('utf-8')):08x}"


def enqueue_analyses(version_id: int) -> str | None:
    """Queue the analysis job of a version; return its id (None if queued already or Redis is down).

    The job id is derived from the version's content, so asking twice for the same content
    queues one job, and new content (a transcript, a submitted paper) queues a fresh one.
    """
    version = db.session.get(SubmissionVersion, version_id)
    if version is None:
        return None
    job_id = f"analyse-{version_id}-{_fingerprint(version)}"
    duration = version.video.duration if version.video and version.video.duration else 600
    try:
        current_app.extensions["rq"]["default"].enqueue(
            JOB_FUNC,
            version_id,
            job_id=job_id,
            unique=True,
            job_timeout=int(120 + duration),
            result_ttl=3600,
            failure_ttl=7 * 86400,
            retry=Retry(max=2, interval=[30, 300]),
        )
    except DuplicateJobError:
        return None
    except RedisError:
        log.warning("redis unavailable; analyses of version %s not queued", version_id)
        return None
    return job_id


def enqueue_for_video(video_id: int) -> list[str]:
    """Queue the analyses of every version that holds a video (called when it becomes ready)."""
    ids = db.session.scalars(
        select(SubmissionVersion.id).where(SubmissionVersion.video_id == video_id)
    ).all()
    return [job for job in (enqueue_analyses(i) for i in ids) if job]


def _ready_video(version: SubmissionVersion) -> Video | None:
    video = version.video
    return video if video is not None and video.state == VideoState.READY.value else None


def run_analyses(version_id: int) -> dict[str, dict | list]:
    """Run every analysis that applies to a version now and store the results in one commit.

    Returns the stored data by kind. Speech flags are also added to Video.flags.
    """
    from review.analysis.consistency import compare
    from review.analysis.oath import check_oath
    from review.services import search

    version = db.session.get(SubmissionVersion, version_id)
    if version is None:
        return {}
    video = _ready_video(version)
    results: dict[str, Any] = {}
    segments = list(video.segments) if video is not None else []
    if video is not None:
        speech = _speech(video, segments)
        if speech is not None:
            results["speech"] = speech
        if version.submission.period.oath_required:
            results["oath"] = check_oath(segments).as_dict()
        if (version.paper_text or "").strip():
            results["consistency"] = compare(version.paper_text, segments)
    if version.frozen:
        results["similar"] = similar.check_version(version, segments if video else None)
    for kind, data in results.items():
        store(version.id, kind, data)
    db.session.commit()
    search.reindex_submission(version.submission_id)
    return results


def _speech(video: Video, segments: list) -> dict | None:
    from media.speech import measure_audio, speech_figures
    from review.analysis.text import timed_transcript

    source = video.audio_path or (video.original_path if video.probe.get("has_audio") else None)
    if source is None:
        return None
    stats = measure_audio(
        storage.path(source), video.duration or 0.0, timeout=60 + (video.duration or 600)
    )
    figures = speech_figures(stats, segments, len(timed_transcript(segments).chars))
    video.flags = list(video.flags or []) + [
        f for f in figures.flags if f not in (video.flags or [])
    ]
    return figures.as_dict()


def store(version_id: int, kind: str, data: Any) -> Analysis:
    """Create or replace the stored result of one kind of analysis (no commit)."""
    row = db.session.scalar(
        select(Analysis).where(Analysis.version_id == version_id, Analysis.kind == kind)
    )
    if row is None:
        row = Analysis(version_id=version_id, kind=kind)
        db.session.add(row)
    row.data = data
    return row


def get_analyses(version_id: int) -> dict[str, Any]:
    """Return the stored analyses of a version by kind."""
    rows = db.session.scalars(select(Analysis).where(Analysis.version_id == version_id))
    return {row.kind: row.data for row in rows}


def analyses_json(version: SubmissionVersion | None, viewer: User | None = None) -> dict:
    """Serialise a version's analyses for viewer (default: the logged-in user).

    Activists see their own speech flags and oath check; similarity and consistency are
    for reviewers and the committee, and a similar report the viewer may not read is shown
    by its score only.
    """
    if version is None:
        return {}
    if viewer is None and has_request_context():
        from flask_login import current_user

        viewer = current_user if current_user.is_authenticated else None
    staff = viewer is not None and viewer.has_role(Role.REVIEWER, Role.COMMITTEE)
    data = get_analyses(version.id)
    out: dict = {}
    if "oath" in data:
        out["oath"] = {**data["oath"], "message": oath_message(data["oath"])}
    if "speech" in data:
        out["speech"] = {
            **data["speech"],
            "flags": [
                {"code": f, "message": flag_label(f)} for f in data["speech"].get("flags", [])
            ],
        }
    if staff and "consistency" in data:
        verdict = data["consistency"].get("verdict", "not_comparable")
        out["consistency"] = {**data["consistency"], "label": gettext(VERDICTS[verdict])}
    if staff and "similar" in data:
        out["similar"] = similar.visible_entries(
            data["similar"], viewer, version.submission.activist_id
        )
    return out


def oath_message(oath: dict) -> str:
    """Return the one-line Chinese summary of an oath check."""
    if oath.get("status") == "not_found":
        return gettext("未找到入党誓词")
    if oath.get("status") == "complete":
        return gettext("入党誓词完整")
    return gettext(
        "入党誓词有 %(n)d 句缺漏或与原文不同",
        n=sum(p["status"] != "present" for p in oath.get("phrases", [])),
    )
