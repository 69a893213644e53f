"""What an assessment sheet shows, read for one submission or for hundreds in a few queries.

A Sheet holds plain values only, so it can be drawn in another process (zip.py).

The ZIP of a large university's period holds thousands of sheets: reading each one's rows
separately cost more than drawing it, so `load_sheets` reads a chunk of submissions with one
query per table and the PDF is drawn from plain data.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from review.exceptions import NotFoundError
from review.extensions import db
from review.labels import label
from review.models import (
    AgreedMark,
    Branch,
    Comment,
    Criterion,
    Decision,
    PaperFile,
    Period,
    Review,
    ReviewState,
    Score,
    Submission,
    SubmissionVersion,
    TranscriptSegment,
    User,
)
from review.services.decisions import outcome_label

CHUNK = 200


@dataclass
class SheetReview:
    """One submitted review as the sheet shows it."""

    reviewer: str
    scores: dict[int, float | None] = field(default_factory=dict)  # by criterion position
    notes: dict[int, str] = field(default_factory=dict)
    comments: list[tuple[float, str]] = field(default_factory=list)  # (at seconds, text)
    overall: str = ""


@dataclass
class Sheet:
    """Everything one assessment sheet (and the ZIP's files of one activist) needs."""

    submission_id: int
    version_id: int
    period: str
    branch: str
    username: str
    name: str
    submitted_at: datetime | None
    state: str  # the Chinese label
    criteria: list[tuple[int, str, float]]  # (position, title, max points)
    max_total: float
    paper_text: str
    reviews: list[SheetReview] = field(default_factory=list)
    agreed: dict[int, float] = field(default_factory=dict)
    outcome: str = ""
    decision_comment: str = ""
    released_at: datetime | None = None
    segments: list[tuple[float, float, str]] = field(default_factory=list)
    paper_files: list[tuple[str, str]] = field(default_factory=list)  # (stored path, name)


def load_sheet(submission_id: int) -> Sheet:
    """Read one submission's sheet (its newest submitted version).

    Raises:
        NotFoundError: no such submission, or only a draft (a draft is its activist's alone).
    """
    sheets = list(load_sheets([submission_id]))
    if not sheets:
        raise NotFoundError(_("找不到该汇报。"))
    return sheets[0]


def load_sheets(submission_ids: list[int]) -> Iterator[Sheet]:
    """Yield the sheets of submissions in the given order, skipping drafts and unknown ids."""
    for start in range(0, len(submission_ids), CHUNK):
        yield from _chunk(submission_ids[start : start + CHUNK])


def _chunk(ids: list[int]) -> Iterator[Sheet]:
    submissions = {
        s.id: s for s in db.session.scalars(select(Submission).where(Submission.id.in_(ids)))
    }
    versions: dict[int, SubmissionVersion] = {}
    for v in db.session.scalars(
        select(SubmissionVersion)
        .where(
            SubmissionVersion.submission_id.in_(ids), SubmissionVersion.submitted_at.is_not(None)
        )
        .order_by(SubmissionVersion.number)
    ):
        versions[v.submission_id] = v  # the newest submitted wins
    vids = [v.id for v in versions.values()]
    users = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(User.id.in_({s.activist_id for s in submissions.values()}))
        )
    }
    branches = dict(db.session.execute(select(Branch.id, Branch.name)).all())
    periods = {
        p.id: p
        for p in db.session.scalars(
            select(Period).where(Period.id.in_({s.period_id for s in submissions.values()}))
        )
    }
    positions = dict(db.session.execute(select(Criterion.id, Criterion.position)).all())
    reviews = _reviews(vids, positions)
    decisions = _decisions(vids, positions)
    segments = _segments([v.video_id for v in versions.values() if v.video_id])
    papers: dict[int, list[tuple[str, str]]] = {}
    for pf in db.session.scalars(
        select(PaperFile).where(PaperFile.version_id.in_(vids)).order_by(PaperFile.position)
    ):
        papers.setdefault(pf.version_id, []).append((pf.path, pf.original_name))
    for sid in ids:
        sub, version = submissions.get(sid), versions.get(sid)
        if sub is None or version is None:
            continue
        period, activist = periods[sub.period_id], users[sub.activist_id]
        bid = sub.branch_id or activist.branch_id
        decision = decisions.get(version.id)
        rubric = period.rubric_version
        yield Sheet(
            submission_id=sid,
            version_id=version.id,
            period=period.name,
            branch=branches.get(bid, "") if bid else "",
            username=activist.username,
            name=activist.name,
            submitted_at=version.submitted_at,
            state=label("submission", sub.state),
            criteria=[(c.position, c.title, c.max_points) for c in rubric.criteria],
            max_total=rubric.max_total,
            paper_text=version.paper_text or "",
            reviews=reviews.get(version.id, [])[:2],
            agreed=decision[0] if decision else {},
            outcome=outcome_label(decision[1].outcome) if decision else "",
            decision_comment=(decision[1].comment or "") if decision else "",
            released_at=decision[1].released_at if decision else None,
            segments=segments.get(version.video_id, []) if version.video_id else [],
            paper_files=papers.get(version.id, []),
        )


def _reviews(vids: list[int], positions: dict[int, int]) -> dict[int, list[SheetReview]]:
    rows = db.session.execute(
        select(Review.id, Review.version_id, User.name, Review.overall_comment)
        .join(User, User.id == Review.reviewer_id)
        .where(Review.version_id.in_(vids), Review.state == ReviewState.SUBMITTED.value)
        .order_by(Review.submitted_at, Review.id)
    ).all()
    out: dict[int, list[SheetReview]] = {}
    by_id: dict[int, SheetReview] = {}
    for review_id, version_id, name, overall in rows:
        by_id[review_id] = SheetReview(reviewer=name, overall=overall or "")
        out.setdefault(version_id, []).append(by_id[review_id])
    ids = list(by_id)
    for review_id, criterion_id, points, note in db.session.execute(
        select(Score.review_id, Score.criterion_id, Score.points, Score.note).where(
            Score.review_id.in_(ids)
        )
    ):
        review, pos = by_id[review_id], positions[criterion_id]
        review.scores[pos] = points
        if note:
            review.notes[pos] = note
    for review_id, at, text in db.session.execute(
        select(Comment.review_id, Comment.at_seconds, Comment.text)
        .where(Comment.review_id.in_(ids))
        .order_by(Comment.at_seconds, Comment.id)
    ):
        by_id[review_id].comments.append((at, text))
    return out


def _decisions(
    vids: list[int], positions: dict[int, int]
) -> dict[int, tuple[dict[int, float], Decision]]:
    found = {
        d.id: d for d in db.session.scalars(select(Decision).where(Decision.version_id.in_(vids)))
    }
    marks: dict[int, dict[int, float]] = {d: {} for d in found}
    for decision_id, criterion_id, points in db.session.execute(
        select(AgreedMark.decision_id, AgreedMark.criterion_id, AgreedMark.points).where(
            AgreedMark.decision_id.in_(list(found))
        )
    ):
        marks[decision_id][positions[criterion_id]] = points
    return {d.version_id: (marks[d.id], d) for d in found.values()}


def _segments(video_ids: list[int]) -> dict[int, list[tuple[float, float, str]]]:
    out: dict[int, list[tuple[float, float, str]]] = {}
    for video_id, start, end, text in db.session.execute(
        select(
            TranscriptSegment.video_id,
            TranscriptSegment.start,
            TranscriptSegment.end,
            TranscriptSegment.text,
        )
        .where(TranscriptSegment.video_id.in_(video_ids))
        .order_by(TranscriptSegment.video_id, TranscriptSegment.position)
    ):
        out.setdefault(video_id, []).append((start, end, text))
    return out
