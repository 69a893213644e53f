"""Similarity of a version's texts to other reports, via stored MinHash signatures and LSH bands.

Compared: the same period's other submissions and the same activist's other periods, the
current version of each. A new report costs one signature, one indexed lookup of its band
keys, and exact comparisons with the few candidates that share a band.
"""

from __future__ import annotations

from sqlalchemy import delete, func, or_, select

from review.access import can_read_version
from review.analysis.similarity import (
    MIN_CHARS,
    THRESHOLD,
    Text,
    band_keys,
    estimate,
    from_bytes,
    jaccard,
    passages,
    signature,
    to_bytes,
)
from review.analysis.text import Normalised, TimedText, timed_transcript
from review.extensions import db
from review.models import (
    Analysis,
    Branch,
    SignatureBand,
    Submission,
    SubmissionVersion,
    TextSignature,
    User,
    VideoState,
)

MAX_CANDIDATES = 200
ESTIMATE_MARGIN = 0.2  # signatures estimate Jaccard to about ±0.1: check candidates this close
EXCERPT_CHARS = 300


Prepared = tuple[Text, TimedText | None]


def texts_of(version: SubmissionVersion, segments: list | None) -> dict[str, Prepared]:
    """Return the comparable texts of a version by kind (paper, transcript)."""
    out: dict[str, Prepared] = {}
    paper = Text.of(version.paper_text or "")
    if len(paper.norm.chars) >= MIN_CHARS:
        out["paper"] = (paper, None)
    if segments is not None:
        timed = timed_transcript(segments)
        spoken = Text(timed.chars, Normalised(timed.chars, tuple(range(len(timed.chars)))))
        if len(spoken.norm.chars) >= MIN_CHARS:
            out["transcript"] = (spoken, timed)
    return out


def save_signatures(version: SubmissionVersion, texts: dict) -> list[TextSignature]:
    """Store the signatures and band keys of a version's texts; drop its submission's older ones."""
    submission = version.submission
    stale = select(TextSignature.id).where(
        TextSignature.submission_id == submission.id,
        or_(TextSignature.version_id != version.id, TextSignature.kind.not_in(list(texts))),
    )
    stale_ids = list(db.session.scalars(stale))
    if stale_ids:
        db.session.execute(delete(SignatureBand).where(SignatureBand.signature_id.in_(stale_ids)))
        db.session.execute(delete(TextSignature).where(TextSignature.id.in_(stale_ids)))
    rows = []
    for kind, (text, _timed) in texts.items():
        row = db.session.scalar(
            select(TextSignature).where(
                TextSignature.version_id == version.id, TextSignature.kind == kind
            )
        )
        sig = signature(text.shingles)
        if row is None:
            row = TextSignature(
                version_id=version.id,
                submission_id=submission.id,
                period_id=submission.period_id,
                activist_id=submission.activist_id,
                kind=kind,
            )
            db.session.add(row)
        row.signature, row.chars = to_bytes(sig), len(text.norm.chars)
        db.session.flush()
        db.session.execute(delete(SignatureBand).where(SignatureBand.signature_id == row.id))
        db.session.add_all(
            [
                SignatureBand(signature_id=row.id, band=band, key=key)
                for band, key in enumerate(band_keys(sig))
            ]
        )
        rows.append(row)
    db.session.flush()
    return rows


def candidates(mine: TextSignature) -> list[TextSignature]:
    """Return the signatures in scope that share at least one LSH band with mine."""
    # Band keys first (their index), then the few matching signatures: never a scan.
    shared = func.count().label("shared")
    hits = (
        select(SignatureBand.signature_id, shared)
        .where(SignatureBand.key.in_(band_keys(from_bytes(mine.signature))))
        .group_by(SignatureBand.signature_id)
        .subquery()
    )
    stmt = (
        select(TextSignature)
        .join(hits, hits.c.signature_id == TextSignature.id)
        .where(
            TextSignature.submission_id != mine.submission_id,
            or_(
                TextSignature.period_id == mine.period_id,
                TextSignature.activist_id == mine.activist_id,
            ),
        )
        .order_by(hits.c.shared.desc())
        .limit(MAX_CANDIDATES)
    )
    return list(db.session.scalars(stmt))


def _other_text(signature_row: TextSignature) -> Prepared | None:
    version = db.session.get(SubmissionVersion, signature_row.version_id)
    if version is None:
        return None
    video = version.video
    ready = video is not None and video.state == VideoState.READY.value
    segments = list(video.segments) if video is not None and ready else None
    return texts_of(version, segments).get(signature_row.kind)


def _passages(mine: tuple, theirs: tuple, kinds: tuple[str, str]) -> list[dict]:
    (a, a_timed), (b, b_timed) = mine, theirs
    shown = []
    for a_first, a_last, b_first, b_last in passages(a, b, limit=5):
        shown.append(
            {
                "mine_kind": kinds[0],
                "theirs_kind": kinds[1],
                "mine": a.excerpt(a_first, a_last)[:EXCERPT_CHARS],
                "theirs": b.excerpt(b_first, b_last)[:EXCERPT_CHARS],
                "mine_start": a_timed.span(a_first, a_last)[0] if a_timed else None,
                "theirs_start": b_timed.span(b_first, b_last)[0] if b_timed else None,
            }
        )
    return shown


def check_version(version: SubmissionVersion, segments: list | None) -> list[dict]:
    """Compare a version with the reports in scope; flag pairs for both sides (no commit).

    Returns this version's entries: {submission, version_id, score, pairs, passages}.
    """
    texts = texts_of(version, segments)
    found: dict[int, dict] = {}
    for mine in save_signatures(version, texts):
        sig = from_bytes(mine.signature)
        for other in candidates(mine):
            if estimate(sig, from_bytes(other.signature)) < THRESHOLD - ESTIMATE_MARGIN:
                continue
            theirs = _other_text(other)
            if theirs is None:
                continue
            score = round(jaccard(texts[mine.kind][0].shingles, theirs[0].shingles), 3)
            if score < THRESHOLD:
                continue
            entry = found.setdefault(
                other.submission_id,
                {
                    "submission": other.submission_id,
                    "version_id": other.version_id,
                    "score": 0.0,
                    "pairs": [],
                    "passages": [],
                },
            )
            entry["score"] = max(entry["score"], score)
            entry["pairs"].append({"mine": mine.kind, "theirs": other.kind, "score": score})
            entry["passages"] += _passages(texts[mine.kind], theirs, (mine.kind, other.kind))
    entries = sorted(found.values(), key=lambda e: -e["score"])
    _mirror(version, entries)
    return entries


def _mirror(version: SubmissionVersion, entries: list[dict]) -> None:
    """Write each flagged pair into the other side's result too, and retract pairs that ended."""
    own_versions = [v.id for v in version.submission.versions]
    previous = db.session.scalars(
        select(Analysis).where(Analysis.version_id.in_(own_versions), Analysis.kind == "similar")
    )
    before = {e["version_id"] for row in previous for e in row.data}
    now = {e["version_id"]: e for e in entries}
    for other_version in sorted(before | set(now)):  # sorted: rows locked in one order
        row = db.session.scalar(
            select(Analysis)
            .where(Analysis.version_id == other_version, Analysis.kind == "similar")
            .with_for_update()
        )
        kept = [e for e in (row.data if row else []) if e["submission"] != version.submission_id]
        if other_version in now:
            kept.append(_reverse(version, now[other_version]))
        if row is None:
            if not kept:
                continue
            row = Analysis(version_id=other_version, kind="similar")
            db.session.add(row)
        row.data = sorted(kept, key=lambda e: -e["score"])


def _reverse(version: SubmissionVersion, entry: dict) -> dict:
    swap = {
        "mine": "theirs",
        "theirs": "mine",
        "mine_kind": "theirs_kind",
        "theirs_kind": "mine_kind",
        "mine_start": "theirs_start",
        "theirs_start": "mine_start",
    }
    return {
        "submission": version.submission_id,
        "version_id": version.id,
        "score": entry["score"],
        "pairs": [
            {swap[k]: v for k, v in p.items() if k in swap} | {"score": p["score"]}
            for p in entry["pairs"]
        ],
        "passages": [{swap[k]: v for k, v in p.items()} for p in entry["passages"]],
    }


def visible_entries(entries: list[dict], viewer: User | None, owner_id: int) -> list[dict]:
    """Return the entries as viewer may see them: passages only from reports they may read."""
    shown = []
    for entry in entries:
        submission = db.session.get(Submission, entry["submission"])
        if submission is None:
            continue
        branch = db.session.get(Branch, submission.branch_id) if submission.branch_id else None
        item = {
            "submission": submission.id,
            "score": entry["score"],
            "pairs": entry["pairs"],
            "period": submission.period.name,
            "branch": branch.name if branch else None,
            "same_activist": submission.activist_id == owner_id,
            "readable": False,
        }
        version = db.session.get(SubmissionVersion, entry["version_id"])
        if version is not None and can_read_version(viewer, version):
            item.update(
                readable=True,
                passages=entry["passages"],
                activist=submission.activist.name,
                version=version.number,
            )
        shown.append(item)
    return shown
