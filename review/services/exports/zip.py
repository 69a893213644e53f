"""A ZIP for a period or a branch: the workbook, one PDF per activist and a manifest."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from typing import IO, Any

from review import clock
from review.extensions import db
from review.models import Branch, Period
from review.services.exports import safe_filename
from review.services.exports.pdf import assessment_pdf
from review.services.exports.rows import ExportTable, build_table
from review.services.exports.xlsx import write_xlsx

MANIFEST = "manifest.json"


def bundle_name(period: Period, branch: Branch | None) -> str:
    """Return the readable base name of a period's (or branch's) export files."""
    return safe_filename(f"{period.name}_{branch.name if branch else '全部支部'}")


def pdf_name(username: str, name: str) -> str:
    """Return an assessment sheet's file name: 学号_姓名.pdf."""
    return safe_filename(f"{username}_{name}") + ".pdf"


def _unique(name: str, used: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    candidate, n = name, 2
    while candidate in used:
        candidate, n = f"{stem}_{n}{dot}{ext}", n + 1
    used.add(candidate)
    return candidate


def write_zip(
    period_id: int,
    branch_id: int | None,
    target: str | IO[bytes],
    progress: Callable[[float], None] | None = None,
    table: ExportTable | None = None,
) -> dict[str, Any]:
    """Write the bundle to a path or binary file; return the manifest."""
    period = db.session.get_one(Period, period_id)
    branch = db.session.get(Branch, branch_id) if branch_id else None
    table = table or build_table(period_id, branch_id)
    base = bundle_name(period, branch)
    files: list[dict[str, Any]] = []
    manifest = {
        "period": period.name,
        "branch": branch.name if branch else None,
        "generated_at": clock.now().isoformat(timespec="seconds"),
        "files": files,
    }
    used: set[str] = set()
    sheets = [
        (r, r.submission_id)
        for r in table.rows
        if r.submission_id is not None and r.state not in ("", "draft")
    ]
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as bundle:

        def add(name: str, data: bytes, **extra: str) -> None:
            name = _unique(name, used)
            bundle.writestr(name, data)
            files.append(
                {
                    "name": name,
                    "bytes": len(data),
                    "sha256": hashlib.sha256(data).hexdigest(),
                    **extra,
                }
            )

        workbook = io.BytesIO()
        write_xlsx(table, workbook)
        add(f"{base}.xlsx", workbook.getvalue(), kind="xlsx")
        for done, (row, submission_id) in enumerate(sheets, start=1):
            folder = "" if branch else safe_filename(row.branch or "未分支部") + "/"
            add(
                folder + pdf_name(row.username, row.name),
                assessment_pdf(submission_id),
                kind="pdf",
                username=row.username,
                student=row.name,
            )
            if progress and done % 10 == 0:
                progress(done / (len(sheets) + 1))
        bundle.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
    if progress:
        progress(1.0)
    return manifest
