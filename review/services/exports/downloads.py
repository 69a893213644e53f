"""Committee downloads built on request: the bytes and where they are kept for the front server."""

from __future__ import annotations

import io
from pathlib import Path

from review import storage
from review.models import Submission
from review.services.exports import safe_filename
from review.services.exports.csv import iter_csv
from review.services.exports.pdf import assessment_pdf
from review.services.exports.rows import build_table
from review.services.exports.xlsx import write_xlsx
from review.services.exports.zip import pdf_name, write_zip


def build_assessment(submission: Submission, version_id: int) -> tuple[bytes, Path, str, str]:
    """Build one activist's assessment sheet: bytes, storage path, Chinese and ASCII names."""
    activist = submission.activist
    name = pdf_name(activist.username, activist.name)
    fallback = safe_filename(f"assessment-{activist.username}") + ".pdf"
    target = storage.download_file(f"assessment-{version_id}", "pdf")
    return assessment_pdf(submission.id), target, name, fallback


def build_period_export(period_id: int, branch_id: int | None, kind: str) -> tuple[bytes, Path]:
    """Build a period's (or one branch's) CSV, XLSX or ZIP: bytes and storage path."""
    table = build_table(period_id, branch_id)
    buffer = io.BytesIO()
    if kind == "csv":
        for chunk in iter_csv(table):
            buffer.write(chunk)
    elif kind == "xlsx":
        write_xlsx(table, buffer)
    else:
        write_zip(period_id, branch_id, buffer, table=table)
    return buffer.getvalue(), storage.download_file(f"period-{period_id}-{branch_id or 0}", kind)
