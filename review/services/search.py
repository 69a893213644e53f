"""Chinese substring search over transcripts and paper reports, for reviewers and the committee.

PostgreSQL: ILIKE served by pg_trgm GIN indexes (migration 0005). SQLite: an FTS5 `trigram`
index kept in a file of its own (INSTANCE_DIR/search.sqlite3, or SEARCH_INDEX_PATH), so the
main schema stays exactly the models'; it is refreshed by reindex_submission (the analysis
job runs it after every submission and transcript), rebuilt whole when missing, and every
hit is confirmed against the database, so a stale entry never shows. Trigrams need three
characters: shorter queries use LIKE. Drafts are never searched.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from review.access import READERS, visible_submissions
from review.exceptions import PermissionDeniedError, ValidationError
from review.extensions import db
from review.models import (
    Role,
    Submission,
    SubmissionState,
    SubmissionVersion,
    TranscriptSegment,
    User,
)

log = logging.getLogger(__name__)

MAX_QUERY = 100
CONTEXT = 30
ROWS_PER_SUBMISSION = 100_000  # FTS rowid = submission id * this + position (0 = paper)
FTS_SCHEMA = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS docs USING fts5(body, kind UNINDEXED, "
    "ref UNINDEXED, branch UNINDEXED, tokenize='trigram')"
)


@dataclass
class Hit:
    """One matching transcript segment or paper report."""

    submission_id: int
    kind: str  # transcript | paper
    before: str
    match: str
    after: str
    start: float | None
    activist: str
    period: str


def fts_available() -> bool:
    """Tell whether this SQLite has the FTS5 trigram tokenizer (3.34 or later)."""
    return tuple(int(p) for p in sqlite3.sqlite_version.split(".")[:2]) >= (3, 34)


def _uses_fts() -> bool:
    return db.engine.dialect.name == "sqlite" and fts_available()


def index_path() -> Path:
    """Return the file of the SQLite search index."""
    configured = current_app.config.get("SEARCH_INDEX_PATH")
    if configured:
        return Path(configured)
    return Path(current_app.config["INSTANCE_DIR"]) / "search.sqlite3"


def _connect() -> sqlite3.Connection:
    conn = sqlite3.connect(index_path(), timeout=10, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(FTS_SCHEMA)
    return conn


def _rows_of(submission: Submission) -> list[tuple]:
    version = submission.current
    if version is None:
        return []
    base = submission.id * ROWS_PER_SUBMISSION
    rows = (
        [(base, version.paper_text, "paper", version.id, submission.branch_id)]
        if (version.paper_text or "").strip()
        else []
    )
    if version.video is not None:
        rows += [
            (base + 1 + i, s.text, "transcript", s.id, submission.branch_id)
            for i, s in enumerate(version.video.segments[: ROWS_PER_SUBMISSION - 1])
        ]
    return rows


def reindex_submission(submission_id: int) -> None:
    """Refresh the SQLite index entries of a submission's current version (no-op elsewhere)."""
    if not _uses_fts():
        return
    if not index_path().exists():
        rebuild()
        return
    submission = db.session.get(Submission, submission_id)
    base = submission_id * ROWS_PER_SUBMISSION
    with closing(_connect()) as conn:
        conn.execute("BEGIN")
        conn.execute(
            "DELETE FROM docs WHERE rowid BETWEEN ? AND ?", (base, base + ROWS_PER_SUBMISSION - 1)
        )
        if submission is not None:
            conn.executemany(
                "INSERT INTO docs(rowid, body, kind, ref, branch) VALUES (?,?,?,?,?)",
                _rows_of(submission),
            )
        conn.execute("COMMIT")


def reindex_video(video_id: int) -> None:
    """Refresh the entries of the submissions holding a video (after a transcript correction)."""
    ids = db.session.scalars(
        select(SubmissionVersion.submission_id).where(SubmissionVersion.video_id == video_id)
    ).all()
    for submission_id in set(ids):
        reindex_submission(submission_id)


def rebuild() -> int:
    """Rebuild the whole SQLite index from the database; return the number of entries."""
    if not _uses_fts():
        return 0
    path = index_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    count = 0
    with closing(sqlite3.connect(tmp, isolation_level=None)) as conn:
        conn.execute(FTS_SCHEMA)
        conn.execute("BEGIN")
        for submission in db.session.scalars(select(Submission).execution_options(yield_per=200)):
            rows = _rows_of(submission)
            conn.executemany(
                "INSERT INTO docs(rowid, body, kind, ref, branch) VALUES (?,?,?,?,?)", rows
            )
            count += len(rows)
        conn.execute("COMMIT")
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    tmp.replace(path)
    log.info("search index rebuilt: %s entries", count)
    return count


def _candidates(query: str, user: User, limit: int) -> tuple[list[int], list[int]]:
    """Return (segment ids, version ids) whose indexed text contains query."""
    if not index_path().exists():
        rebuild()
    sql = "SELECT kind, ref FROM docs WHERE docs MATCH ?"
    args: list = ['"' + query.replace('"', '""') + '"']
    if not user.has_role(Role.COMMITTEE):
        branches = sorted(user.reviewable_branch_ids()) or [-1]
        sql += f" AND branch IN ({','.join('?' * len(branches))})"
        args += branches
    with closing(_connect()) as conn:
        rows = conn.execute(sql + " ORDER BY rowid DESC LIMIT ?", (*args, limit)).fetchall()
    return [r for k, r in rows if k == "transcript"], [r for k, r in rows if k == "paper"]


def _contains(column, query: str):  # noqa: ANN001, ANN202
    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    if db.engine.dialect.name == "postgresql":
        return column.ilike(pattern, escape="\\")
    return column.like(pattern, escape="\\")


def _current_version():  # noqa: ANN202
    return (
        SubmissionVersion.number
        == select(func.max(SubmissionVersion.number))
        .where(SubmissionVersion.submission_id == Submission.id)
        .correlate(Submission)
        .scalar_subquery()
    )


def search(user_id: int, query: str, *, limit: int = 50) -> list[Hit]:
    """Find query in the transcripts and paper reports user may read, newest submissions first.

    Raises:
        PermissionDeniedError: activists may not search. ValidationError: empty or too long.
    """
    user = db.session.get(User, user_id)
    if user is None or not user.has_role(*READERS):
        raise PermissionDeniedError(_l("只有审阅人和党委可以搜索汇报内容。"))
    query = " ".join((query or "").split())
    if not query:
        raise ValidationError(_l("请输入要搜索的文字。"))
    if len(query) > MAX_QUERY:
        raise ValidationError(_l("搜索内容太长，请不超过 %(n)d 个字。", n=MAX_QUERY))
    segment_ids = version_ids = None
    if _uses_fts() and len(query) >= 3:
        segment_ids, version_ids = _candidates(query, user, limit * 20)
    base = (
        select(Submission, SubmissionVersion)
        .join(SubmissionVersion, SubmissionVersion.submission_id == Submission.id)
        .where(_current_version(), Submission.state != SubmissionState.DRAFT.value)
    )
    seg_stmt = visible_submissions(
        user,
        base.add_columns(TranscriptSegment)
        .join(TranscriptSegment, TranscriptSegment.video_id == SubmissionVersion.video_id)
        .where(_contains(TranscriptSegment.text, query)),
    )
    paper_stmt = visible_submissions(
        user, base.where(_contains(SubmissionVersion.paper_text, query))
    )
    if segment_ids is not None:
        seg_stmt = seg_stmt.where(TranscriptSegment.id.in_(segment_ids or [-1]))
        paper_stmt = paper_stmt.where(SubmissionVersion.id.in_(version_ids or [-1]))
    rows = db.session.execute(
        seg_stmt.order_by(Submission.id.desc(), TranscriptSegment.start).limit(limit)
    )
    hits = [_hit(sub, "transcript", seg.text, query, seg.start) for sub, _v, seg in rows]
    hits += [
        _hit(sub, "paper", version.paper_text, query, None)
        for sub, version in db.session.execute(
            paper_stmt.order_by(Submission.id.desc()).limit(limit)
        )
    ]
    hits.sort(key=lambda h: (-h.submission_id, h.kind != "transcript", h.start or 0))
    return hits[:limit]


def _hit(submission: Submission, kind: str, text: str, query: str, start: float | None) -> Hit:
    at = max(text.lower().find(query.lower()), 0)
    end = at + len(query)
    before = ("…" if at > CONTEXT else "") + text[max(at - CONTEXT, 0) : at]
    after = text[end : end + CONTEXT] + ("…" if len(text) > end + CONTEXT else "")
    return Hit(
        submission.id,
        kind,
        before,
        text[at:end],
        after,
        None if start is None else round(start, 1),
        submission.activist.name,
        submission.period.name,
    )
