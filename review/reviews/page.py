"""What the review page shows: template context and the state handed to static/js/review.js."""

from __future__ import annotations

from datetime import datetime

from flask import url_for
from flask_babel import gettext as _

from review.access import can_download_paper_original, can_write_version
from review.i18n import format_dt
from review.models import Review, ReviewState, SubmissionVersion, TranscriptSegment, User
from review.services import paper_pages
from review.services.drafts import field_revisions
from review.services.feedback import rules_for
from review.services.media_errors import flag_label
from review.services.reviews.corrections import corrections_closed
from review.services.reviews.queue import overdue_days


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60:02d}:{whole % 60:02d}"


def text_pieces(segment: TranscriptSegment) -> list[dict]:
    """Split a segment's text into plain runs and its standing Party-term fixes (for marks)."""
    pieces: list[dict] = []
    pos = 0
    for index, fix in enumerate(segment.term_fixes or []):
        at, term = int(fix["at"]), str(fix["term"])
        if fix.get("undone") or at < pos or segment.text[at : at + len(term)] != term:
            continue
        if at > pos:
            pieces.append({"text": segment.text[pos:at]})
        pieces.append({"text": term, "heard": fix["heard"], "index": index})
        pos = at + len(term)
    if pos < len(segment.text) or not pieces:
        pieces.append({"text": segment.text[pos:]})
    return pieces


def paper_pages_of(version: SubmissionVersion | None) -> list[dict]:
    """Return the paper report's page images in reading order: their URLs and labels."""
    pages: list[dict] = []
    if version is None:
        return pages
    for paper in version.paper_files:
        for number in range(1, paper_pages.page_count(paper) + 1):
            url = url_for(
                "reviews.paper_page",
                submission_id=version.submission_id,
                file_id=paper.id,
                number=number,
            )
            pages.append({"url": url, "label": _("第 %(n)d 页", n=len(pages) + 1)})
    return pages


BAND_KEYS = "qwerty"  # the row above the digits: band 1, 2, 3... of the active criterion


def oath_criterion_of(criteria: list) -> int | None:
    """Return the id of the criterion the oath check belongs beside (入党誓词), if any."""
    return next((c.id for c in criteria if "誓词" in c.title), None)


def timeline_marks(analyses: dict, oath_criterion: int | None) -> list[dict]:
    """Return the oath recitation's start and end as marks on the video's timeline."""
    oath = analyses.get("oath") or {}
    if oath.get("start") is None or oath.get("end") is None:
        return []
    return [
        {
            "kind": "oath-start",
            "at": oath["start"],
            "criterion": oath_criterion,
            "label": _("入党誓词开始"),
        },
        {
            "kind": "oath-end",
            "at": oath["end"],
            "criterion": oath_criterion,
            "label": _("入党誓词结束"),
        },
    ]


def page_context(
    version: SubmissionVersion,
    review: Review | None,
    viewer: User,
    at: datetime,
    analyses: dict | None = None,
) -> dict:
    """Return the template context of the review page for the version the viewer reads."""
    submission = version.submission
    video = version.video
    criteria = list(submission.period.rubric_version.criteria)
    scores = {s.criterion_id: s for s in review.scores} if review else {}
    editable = review is not None and review.state == ReviewState.DRAFT.value
    segments = video.segments if video else []
    sid = submission.id
    analyses = analyses or {}
    oath_criterion = oath_criterion_of(criteria)
    state = {
        "submission_id": sid,
        "review_id": review.id if review else None,
        "revision": review.revision if review else None,
        "editable": editable,
        "can_correct": can_write_version(viewer, version) and not corrections_closed(version),
        "urls": {
            "save": url_for("reviews.save", submission_id=sid),
            "submit": url_for("reviews.submit", submission_id=sid),
            "next": url_for("reviews.next_ungraded", after=sid),
            "queue": url_for("reviews.index") if viewer.has_role("reviewer") else "/",
            "segment": url_for("reviews.correct_segment", submission_id=sid, segment_id=0),
            "undo_term": url_for(
                "reviews.undo_term_fix", submission_id=sid, segment_id=0, number=0
            ),
            "phrases": url_for("reviews.list_phrases"),
        },
        "criteria": [
            {"id": c.id, "max": c.max_points, "title": c.title, "index": n}
            for n, c in enumerate(criteria, start=1)
        ],
        "branch_id": submission.branch_id,
        "duration": video.duration if video else None,
        "marks": timeline_marks(analyses, oath_criterion),
        "segments": [{"id": s.id, "start": s.start, "end": s.end} for s in segments],
        "comments": [
            {
                "id": c.client_id,
                "at": c.at_seconds,
                "text": c.text,
                "visible": c.visible_to_activist,
                "criterion": c.criterion_id,
            }
            for c in (review.comments if review else [])
        ],
        "fields": field_revisions(review),
        "watermark": f"{viewer.name} {viewer.username}",
    }
    return {
        "submission": submission,
        "version": version,
        "video": video,
        "segments": segments,
        "criteria": criteria,
        "scores": scores,
        "review": review,
        "editable": editable,
        "paper_files": version.paper_files if version else [],
        "paper_pages": paper_pages_of(version),
        "paper_originals": can_download_paper_original(viewer),
        "flags": [flag_label(f) for f in (video.flags if video else [])],
        "late_days": overdue_days(submission.state, version.submitted_at if version else None, at),
        "watermark": f"{viewer.name} {viewer.username} {format_dt(at)}",
        "clock": _clock,
        "text_pieces": text_pieces,
        "state": state,
        "feedback_rules": rules_for(submission.period),
        "analyses": analyses,
        "band_keys": BAND_KEYS,
        "oath_criterion": oath_criterion,
        "oath_beside_rubric": oath_criterion is not None,
        "oath_compact": True,
        "submitted_review": review is not None and review.state == ReviewState.SUBMITTED.value,
    }
