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


def _writable_segment(user_id: int, submission_id: int, segment_id: int) -> TranscriptSegment:
    """Return the segment if user_id may correct it now (see correct_segment for the rules)."""
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
    return segment


def correct_segment(
    user_id: int, submission_id: int, segment_id: int, text: str
) -> TranscriptSegment:
    """Store a human correction of a transcript segment; the recogniser's text is kept.

    A correction is never overwritten by a re-transcription (pipeline.save_transcript).
    Only someone who may write the segment's version does (access.can_write_version): a
    draft's transcript is its activist's alone. The human text replaces any Party-term fixes.

    Raises:
        NotFoundError: the segment is not in the video of the version of submission_id that
            the user reads, or the user may not write every version showing that video.
        ValidationError: the text is empty or too long.
        ConflictError (released): the results were released; the transcript is frozen.
    """
    segment = _writable_segment(user_id, submission_id, segment_id)
    text = " ".join(str(text or "").split())
    if not text:
        raise ValidationError(
            _l("校对后的文字不能为空。如果这段确实没有说话，请填写“（无语音）”。")
        )
    if len(text) > MAX_TEXT:
        raise ValidationError(_l("这一段太长了（最多 %(n)d 个字）。", n=MAX_TEXT))
    if text == segment.text and segment.corrected_by is None:
        return segment  # the machine text confirmed as it is: nothing changes
    segment.text = text
    segment.term_fixes = []
    restored = text == " ".join(segment.original_text.split())
    segment.corrected_by = None if restored else user_id
    segment.corrected_at = None if restored else now()
    return _save(user_id, segment, "transcript.correct")


def undo_term_fix(
    user_id: int, submission_id: int, segment_id: int, index: int
) -> TranscriptSegment:
    """Put back what the recogniser heard in place of one Party-term fix of a segment.

    The undo is a human decision: the segment counts as corrected, so a re-run of the
    transcription does not apply the fix again.

    Raises:
        NotFoundError: as correct_segment.
        ConflictError (released): the results were released; the transcript is frozen.
        ConflictError (stale): there is no such fix (any more).
    """
    from media.terms import TermFix, undo_fix

    segment = _writable_segment(user_id, submission_id, segment_id)
    fixes = [dict(f) for f in segment.term_fixes or []]
    stale = ConflictError(_l("这处术语更正已经撤销或改过，请刷新页面。"), code="stale")
    if not 0 <= index < len(fixes) or fixes[index].get("undone"):
        raise stale
    fix = fixes[index]
    term_fix = TermFix(int(fix["at"]), str(fix["heard"]), str(fix["term"]))
    try:
        segment.text = undo_fix(segment.text, term_fix)
    except ValueError:
        raise stale from None
    shift = len(term_fix.heard) - len(term_fix.term)
    for other in fixes[index + 1 :]:
        other["at"] = int(other["at"]) + shift
    fixes[index] = {**fix, "undone": True}
    segment.term_fixes = fixes
    segment.corrected_by = user_id
    segment.corrected_at = now()
    return _save(user_id, segment, "transcript.undo_term", {"term": term_fix.term})


def _save(
    user_id: int, segment: TranscriptSegment, action: str, detail: dict | None = None
) -> TranscriptSegment:
    audit.record(
        user_id,
        action,
        "segment",
        segment.id,
        {"video": segment.video_id, **(detail or {})},
        commit=False,
    )
    db.session.commit()
    from review.services.search import reindex_video

    reindex_video(segment.video_id)  # the corrected words become searchable at once
    return segment
