"""Draft reviews merged field by field: each score, note, comment and the overall comment.

The review page sends changes, not the whole draft. Each change names one field, the revision
of that field it was based on, and who wrote it: `writer` (one id per browser tab, kept across
its reloads) and `seq` (that tab's edit counter). A change applies when

- the same writer wrote the field last and this edit is newer (a late or repeated request of an
  older edit is acknowledged and ignored), so a tab never conflicts with itself across reloads,
  keepalive flushes and edits restored from localStorage;
- or it was based on the field's current revision;
- or the field already holds that value (nothing to do).

Otherwise another tab changed the same field since: the change is returned as a conflict with
both values and the field is left as it is; every other field of the request is saved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import selectinload

from review import clock
from review.exceptions import ConflictError, NotFoundError, ValidationError
from review.extensions import db
from review.models import Comment, Criterion, DraftField, Review, ReviewState, Score

MAX_TEXT, MAX_NOTE, MAX_COMMENTS, MAX_CHANGES = 1000, 5000, 300, 400
CLAIM_HOURS = 8
WRITER = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
COMMENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_BAD = _l("评分数据格式不正确，请刷新页面后重试。")


@dataclass
class Change:
    """One field's new value, as the page sent it."""

    field: str
    value: Any
    base: int
    writer: str
    seq: int


@dataclass
class Merge:
    """What a save did: each field's revision now, and the changes that met another tab's."""

    review: Review
    revisions: dict[str, int] = field(default_factory=dict)
    conflicts: list[dict] = field(default_factory=list)


def parse_changes(raw: Any) -> list[Change]:
    """Check the shape of the page's change list.

    Raises:
        ValidationError: not a list of {field, value, base, writer, seq}.
    """
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > MAX_CHANGES:
        raise ValidationError(_BAD)
    out = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("field"), str):
            raise ValidationError(_BAD)
        writer = str(item.get("writer") or "")
        try:
            base, seq = int(item.get("base") or 0), int(item.get("seq") or 0)
        except (TypeError, ValueError):
            raise ValidationError(_BAD) from None
        if not WRITER.match(writer) or base < 0 or seq < 0:
            raise ValidationError(_BAD)
        out.append(Change(item["field"][:64], item.get("value"), base, writer, seq))
    return out


def _number(value: Any, criterion: Criterion) -> float | None:
    if value is None or value == "":
        return None
    try:
        points = float(value)
    except (TypeError, ValueError):
        raise ValidationError(_l("“%(title)s”的分数必须是数字。", title=criterion.title)) from None
    if not 0 <= points <= criterion.max_points:
        raise ValidationError(
            _l(
                "“%(title)s”的分数应在 0 到 %(max)d 分之间。",
                title=criterion.title,
                max=criterion.max_points,
            )
        )
    return points


def _comment_value(value: Any, criteria: dict[int, Criterion]) -> dict | None:
    """Normalise a comment's value; None means deleted (a criterion not in the rubric: none)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValidationError(_l("评语数据格式不正确，请刷新页面后重试。"))
    text = str(value.get("text") or "").strip()[:MAX_TEXT]
    if not text:
        raise ValidationError(_l("评语不能为空。"))
    try:
        at = round(max(0.0, float(value.get("at") or 0)), 2)
    except (TypeError, ValueError):
        raise ValidationError(_l("评语的时间点不正确，请刷新页面后重试。")) from None
    raw = value.get("criterion")
    criterion = raw if isinstance(raw, int) and raw in criteria else None
    return {"at": at, "text": text, "visible": bool(value.get("visible")), "criterion": criterion}


def comment_value(comment: Comment | None) -> dict | None:
    """Return a comment as the page sends it (None: deleted or never written)."""
    if comment is None:
        return None
    return {
        "at": comment.at_seconds,
        "text": comment.text,
        "visible": comment.visible_to_activist,
        "criterion": comment.criterion_id,
    }


class _Draft:
    """The fields of one locked draft, read and written by key."""

    def __init__(self, review: Review) -> None:
        self.review = review
        self.criteria = {
            c.id: c
            for c in db.session.scalars(
                select(Criterion).where(Criterion.rubric_version_id == review.rubric_version_id)
            )
        }
        self.scores = {s.criterion_id: s for s in review.scores}
        self.comments = {c.client_id: c for c in review.comments}
        self.fields = {f.field: f for f in review.fields}

    def normalise(self, key: str, value: Any) -> Any:
        kind, _, ident = key.partition(":")
        if key == "overall":
            return str(value or "")[:MAX_NOTE]
        if kind in ("points", "note") and ident.isdigit() and int(ident) in self.criteria:
            if kind == "points":
                return _number(value, self.criteria[int(ident)])
            return str(value or "")[:MAX_NOTE]
        if kind == "comment" and COMMENT_ID.match(ident):
            return _comment_value(value, self.criteria)
        raise ValidationError(_l("评分项不存在，请刷新页面后重试。"))

    def read(self, key: str) -> Any:
        kind, _, ident = key.partition(":")
        if key == "overall":
            return self.review.overall_comment or ""
        if kind == "comment":
            return comment_value(self.comments.get(ident))
        score = self.scores.get(int(ident))
        if score is None:
            return None if kind == "points" else ""
        return score.points if kind == "points" else (score.note or "")

    def write(self, key: str, value: Any) -> None:
        kind, _, ident = key.partition(":")
        if key == "overall":
            self.review.overall_comment = value
        elif kind == "comment":
            self._write_comment(ident, value)
        else:
            score = self.scores.get(int(ident))
            if score is None:
                score = Score(criterion_id=int(ident), points=None, note="")
                self.review.scores.append(score)
                self.scores[int(ident)] = score
            if kind == "points":
                score.points = value
            else:
                score.note = value

    def _write_comment(self, ident: str, value: dict | None) -> None:
        comment = self.comments.get(ident)
        if value is None:
            if comment is not None:
                self.review.comments.remove(comment)
                del self.comments[ident]
            return
        if comment is None:
            if len(self.comments) >= MAX_COMMENTS:
                raise ValidationError(
                    _l("时间点评语最多 %(n)d 条。", n=MAX_COMMENTS), code="too_many"
                )
            comment = Comment(client_id=ident)
            self.review.comments.append(comment)
            self.comments[ident] = comment
        comment.at_seconds, comment.text = value["at"], value["text"]
        comment.visible_to_activist = value["visible"]
        comment.criterion_id = value["criterion"]

    def merge(self, change: Change, result: Merge) -> None:
        value = self.normalise(change.field, change.value)
        row = self.fields.get(change.field)
        revision = row.revision if row else 0
        current = self.read(change.field)
        if row is not None and row.writer == change.writer:
            apply = change.seq > row.seq  # an older edit of this tab arriving late: ignored
        elif change.base == revision:
            apply = True
        elif current == value:
            apply = False  # already there (another tab typed the same)
        else:
            result.conflicts.append(
                {"field": change.field, "mine": value, "theirs": current, "revision": revision}
            )
            return
        if apply and value != current:
            self.write(change.field, value)
            if row is None:
                row = DraftField(field=change.field, revision=0)
                self.review.fields.append(row)
                self.fields[change.field] = row
            row.revision, row.writer, row.seq = revision + 1, change.writer, change.seq
        elif apply and row is not None and row.writer == change.writer:
            row.seq = change.seq
        result.revisions[change.field] = row.revision if row else revision


def _lock_draft(reviewer_id: int, review_id: int) -> Review:
    """Take the draft's row lock (an UPDATE), then load its fields fresh.

    The UPDATE comes first so two saves of one draft (a keepalive flush and the reloaded page's
    restore) run one after the other on PostgreSQL and SQLite alike, each reading the other's
    committed result.
    """
    locked: CursorResult[Any] = db.session.execute(  # type: ignore[assignment]  # an UPDATE
        update(Review)
        .where(
            Review.id == review_id,
            Review.reviewer_id == reviewer_id,
            Review.state == ReviewState.DRAFT.value,
        )
        .values(revision=Review.revision + 1, updated_at=clock.now()),
        execution_options={"synchronize_session": False},
    )
    if locked.rowcount != 1:
        db.session.rollback()
        review = db.session.get(Review, review_id)
        if review is None or review.reviewer_id != reviewer_id:
            raise NotFoundError(_l("找不到这份评分草稿，请刷新页面。"))
        raise ConflictError(_l("这份评分已经提交，不能再修改。"), code="already_submitted")
    return db.session.get_one(
        Review,
        review_id,
        options=[
            selectinload(Review.scores),
            selectinload(Review.comments),
            selectinload(Review.fields),
        ],
        populate_existing=True,
    )


def merge_changes(reviewer_id: int, review_id: int, changes: list[Change]) -> Merge:
    """Apply the page's changes to the reviewer's draft field by field, without committing.

    Raises:
        NotFoundError: not the reviewer's review.
        ConflictError (already_submitted): the review is no longer a draft.
        ValidationError: points outside 0..max, an unknown field, malformed data.
    """
    review = _lock_draft(reviewer_id, review_id)
    draft = _Draft(review)
    result = Merge(review)
    try:
        for change in sorted(changes, key=lambda c: c.seq):
            draft.merge(change, result)
    except ValidationError:
        db.session.rollback()
        raise
    if review.claimed_until is not None:
        review.claimed_until = clock.now() + timedelta(hours=CLAIM_HOURS)
    db.session.flush()
    return result


def field_revisions(review: Review | None) -> dict[str, int]:
    """Return each written field's revision, for the page to base its next changes on."""
    return {f.field: f.revision for f in review.fields} if review else {}
