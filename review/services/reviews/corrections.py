"""Human corrections of a machine transcript, one segment at a time."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from review.access import can_write_version, readable_version
from review.clock import now
from review.exceptions import ConflictError, NotFoundError, ValidationError
from review.extensions import db
from review.models import (
    Submission,
    SubmissionState,
    SubmissionVersion,
    TranscriptSegment,
    User,
)
from review.services import audit, drafts

MAX_TEXT = drafts.MAX_TEXT


RELEASED_STATES = (SubmissionState.RELEASED.value, SubmissionState.NEEDS_REVISION.value)


def corrections_closed(version: SubmissionVersion | None) -> bool:
    """Tell whether the version's transcript is frozen: its results were released."""
    return version is not None and version.submission.state in RELEASED_STATES


def correct_segment(
    user_id: int, submission_id: int, segment_id: int, text: str
) -> TranscriptSegment:
    """Store a human correction of a transcript segment; the recogniser's text is kept.

    A correction is never overwritten by a re-transcription (pipeline.save_transcript).
    Only someone who may write the segment's version does (access.can_write_version): a
    draft's transcript is its activist's alone.

    Raises:
        NotFoundError: the segment is not in the video of the version of submission_id that
            the user reads, or the user may not write every version showing that video.
        ValidationError: the text is empty or too long.
        ConflictError (released): the results were released; the transcript is frozen.
    """
    user = db.session.get(User, user_id)
    submission = db.session.get(Submission, submission_id)
    version = readable_version(user, submission) if submission is not None else None
    segment = db.session.get(TranscriptSegment, segment_id)
    if version is None or segment is None or segment.video_id != version.video_id:
        raise NotFoundError(_l("找不到该内容，或您无权查看。"))
    versions = db.session.scalars(
        select(SubmissionVersion).where(SubmissionVersion.video_id == segment.video_id)
    ).all()
    if not all(can_write_version(user, v) for v in versions):
        raise NotFoundError(_l("找不到这段转写文字，请刷新页面。"))
    if any(corrections_closed(v) for v in versions):
        raise ConflictError(_l("结果已经发布，转写文字不能再校对。"), code="released")
    text = " ".join(str(text or "").split())
    if not text:
        raise ValidationError(
            _l("校对后的文字不能为空。如果这段确实没有说话，请填写“（无语音）”。")
        )
    if len(text) > MAX_TEXT:
        raise ValidationError(_l("这一段太长了（最多 %(n)d 个字）。", n=MAX_TEXT))
    segment.text = text
    restored = text == " ".join(segment.original_text.split())
    segment.corrected_by = None if restored else user_id
    segment.corrected_at = None if restored else now()
    audit.record(
        user_id,
        "transcript.correct",
        "segment",
        segment.id,
        {"video": segment.video_id},
        commit=False,
    )
    db.session.commit()
    from review.services.search import reindex_video

    reindex_video(segment.video_id)  # the corrected words become searchable at once
    return segment
