"""Revisions after 需修改: the copy that starts version N+1, what must be redone, comparisons.

Version N+1 starts as a copy of version N: the same processed video (its transcript and
analyses are reused, nothing is uploaded or processed again) and copies of the paper parts
(typed text, the report's text and its files, written into the new version's own folder so
replacing them in the draft never touches the frozen version).
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select

from review import storage
from review.exceptions import ValidationError
from review.extensions import db
from review.models import Analysis, Decision, PaperFile, SubmissionVersion

REDO_LABELS = {
    "video": _l("需要重新录制视频"),
    "paper": _l("需要修改书面汇报"),
    "both": _l("需要重新录制视频，并修改书面汇报"),
}
# Analyses that depend on the video and the paper text only; "similar" is computed against
# the other submitted reports when the new version is submitted.
COPIED_ANALYSES = ("oath", "speech", "consistency")
DIFF_BLOCK_CHARS = 4000  # a changed block longer than this is shown as deleted + inserted


def redo_label(redo: str | None) -> str:
    """Return the Chinese words of what a 需修改 asks to redo (empty when nothing was said)."""
    return str(REDO_LABELS.get(redo or "", ""))


def previous_version(version: SubmissionVersion) -> SubmissionVersion | None:
    """Return the version before this one in its submission, if any."""
    earlier = [v for v in version.submission.versions if v.number < version.number]
    return earlier[-1] if earlier else None


def asked_redo(version: SubmissionVersion) -> str | None:
    """Return what the released 需修改 of the previous version asks this version to redo."""
    earlier = previous_version(version)
    if earlier is None:
        return None
    decision = db.session.scalar(select(Decision).where(Decision.version_id == earlier.id))
    if decision is None or decision.released_at is None or decision.outcome != "revise":
        return None
    return decision.redo


def copy_into(earlier: SubmissionVersion, version: SubmissionVersion) -> list:
    """Copy the video, paper parts and video analyses of earlier into the new draft (no commit).

    The new version must have its id (flushed). Returns the paths of the files written. (A
    transaction rolled back after the copy leaves them unreferenced in the folder of an id
    never committed; nothing serves them.)
    """
    version.video_id = earlier.video_id
    version.paper_kind, version.paper_text = earlier.paper_kind, earlier.paper_text
    version.typed_text = earlier.typed_text or (
        earlier.paper_text if earlier.paper_kind == "text" else ""
    )
    written = []
    for paper_file in earlier.paper_files:
        source = storage.paper_path(paper_file)
        name = source.name
        target = storage.paper_folder(version.id) / name
        storage.write_bytes(target, source.read_bytes())
        written.append(target)
        db.session.add(
            PaperFile(
                version_id=version.id,
                position=paper_file.position,
                kind=paper_file.kind,
                path=storage.relative(target),
                original_name=paper_file.original_name,
                size_bytes=paper_file.size_bytes,
            )
        )
    for row in db.session.scalars(
        select(Analysis).where(
            Analysis.version_id == earlier.id, Analysis.kind.in_(COPIED_ANALYSES)
        )
    ):
        db.session.add(Analysis(version_id=version.id, kind=row.kind, data=row.data))
    return written


def _file_digest(paper_file: PaperFile) -> str:
    try:
        return hashlib.sha256(storage.paper_path(paper_file).read_bytes()).hexdigest()
    except OSError:
        return f"missing:{paper_file.id}"


def same_paper(a: SubmissionVersion, b: SubmissionVersion) -> bool:
    """Tell whether two versions hold the same paper report: kind, text and file contents.

    A document with text is the same report when its text is (a PDF exported again differs
    in its bytes only). Files without text (photos, scans) are compared cheaply first: a copy
    keeps its file names (chosen by the server with a random token), so they are read and
    hashed only when the names differ but the sizes agree (the same file uploaded again).
    """
    if a.paper_kind != b.paper_kind:
        return False
    text = " ".join((a.paper_text or "").split())
    if text != " ".join((b.paper_text or "").split()):
        return False
    if a.paper_kind == "text" or text:
        return True
    files_a, files_b = list(a.paper_files), list(b.paper_files)
    if [f.size_bytes for f in files_a] != [f.size_bytes for f in files_b]:
        return False
    if [Path(f.path).name for f in files_a] == [Path(f.path).name for f in files_b]:
        return True
    return [_file_digest(f) for f in files_a] == [_file_digest(f) for f in files_b]


def same_video(a: SubmissionVersion, b: SubmissionVersion) -> bool:
    """Tell whether two versions hold the same video (one row, or the same original bytes)."""
    if a.video_id is None or b.video_id is None:
        return a.video_id == b.video_id
    return a.video_id == b.video_id or a.video.sha256 == b.video.sha256


@dataclass
class RedoStatus:
    """What a revision still has to redo: the earlier version, the scope, the parts pending."""

    earlier: SubmissionVersion
    scope: str | None
    video_pending: bool
    paper_pending: bool
    same_video: bool


def redo_status(version: SubmissionVersion) -> RedoStatus | None:
    """Return where a draft that revises an earlier version stands; None for a first version."""
    earlier = previous_version(version)
    if earlier is None or version.frozen:
        return None
    scope = asked_redo(version)
    same = same_video(version, earlier)
    return RedoStatus(
        earlier=earlier,
        scope=scope,
        video_pending=scope in ("video", "both") and same,
        paper_pending=scope in ("paper", "both") and same_paper(version, earlier),
        same_video=same,
    )


def check_redone(version: SubmissionVersion) -> None:
    """Refuse a revision that leaves unchanged what the committee asked to redo.

    Raises:
        ValidationError: the video (or the paper report) is the previous version's one.
    """
    status = redo_status(version)
    if status is not None and status.video_pending:
        raise ValidationError(
            _l("党委要求重新录制视频：现在的视频还是上一版的，请录制并上传新的视频后再提交。"),
            code="redo_video",
        )
    if status is not None and status.paper_pending:
        raise ValidationError(
            _l("党委要求修改书面汇报：书面汇报与上一版完全相同，请按反馈修改后再提交。"),
            code="redo_paper",
        )


def _char_diff(old: str, new: str) -> list[Markup]:
    if len(old) + len(new) > DIFF_BLOCK_CHARS:
        return [Markup("<del>%s</del><ins>%s</ins>") % (old, new)]
    out = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.append(escape(old[i1:i2]))
        if tag in ("delete", "replace"):
            out.append(Markup("<del>%s</del>") % old[i1:i2])
        if tag in ("insert", "replace"):
            out.append(Markup("<ins>%s</ins>") % new[j1:j2])
    return out


def diff_html(old: str, new: str) -> Markup:
    """Return new text with its changes from old marked <ins>/<del>, escaped, lines kept.

    Lines are matched first, then the characters of changed lines, so a long report costs
    little and a Chinese sentence shows the changed words, not whole paragraphs.
    """
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    parts: list[Markup] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        before, after = "".join(old_lines[i1:i2]), "".join(new_lines[j1:j2])
        if tag == "equal":
            parts.append(escape(before))
        elif tag == "delete":
            parts.append(Markup("<del>%s</del>") % before)
        elif tag == "insert":
            parts.append(Markup("<ins>%s</ins>") % after)
        else:
            parts.extend(_char_diff(before, after))
    return Markup("").join(parts)


@dataclass
class Comparison:
    """Two submitted versions side by side: the paper text's changes and the video's identity."""

    before: SubmissionVersion
    after: SubmissionVersion
    same_video: bool
    paper_changed: bool
    diff: Markup
    redo: str | None
    decision: Decision | None


def compare(before: SubmissionVersion, after: SubmissionVersion) -> Comparison:
    """Compare two versions of one submission (the caller checked both are readable)."""
    decision = db.session.scalar(select(Decision).where(Decision.version_id == before.id))
    return Comparison(
        before=before,
        after=after,
        same_video=same_video(before, after),
        paper_changed=not same_paper(before, after),
        diff=diff_html(before.paper_text or "", after.paper_text or ""),
        redo=decision.redo if decision is not None and decision.outcome == "revise" else None,
        decision=decision,
    )
