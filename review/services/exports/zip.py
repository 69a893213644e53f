"""A ZIP for a period or a branch: the workbook, and per activist the assessment sheet, the
paper report's files and the transcript, with a manifest. Times are Beijing time.

Names are stable: 支部/学号_姓名.pdf, 支部/学号_姓名_书面汇报.pdf (…_书面汇报_2.jpg for a second
page photo, …_书面汇报.txt for a typed report) and 支部/学号_姓名_转写.txt.
"""

from __future__ import annotations

import hashlib
import io
import json
import multiprocessing
import os
import signal
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from flask import current_app

from review import clock, storage
from review.extensions import db
from review.models import Branch, Period
from review.services.exports import safe_filename
from review.services.exports.font import font
from review.services.exports.pdf import clock as mmss
from review.services.exports.pdf import render_sheet
from review.services.exports.rows import ExportTable, build_table
from review.services.exports.sheet import CHUNK, Sheet, load_sheets
from review.services.exports.xlsx import write_xlsx

MANIFEST = "manifest.json"
PARALLEL_FROM = 40  # sheets: below this, a pool costs more than it saves
# Already compressed (PDF streams, JPEG, PNG, DOCX and XLSX are zips): deflating them again
# costs time and saves nothing.
STORED = {".pdf", ".jpg", ".jpeg", ".png", ".webp", ".heic", ".docx", ".xlsx"}


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


def transcript_text(sheet: Sheet) -> str:
    """Return the transcript as plain text, one timed segment a line."""
    head = f"{sheet.username} {sheet.name} {sheet.period}\n\n"
    return head + "".join(f"[{mmss(s)}–{mmss(e)}] {text}\n" for s, e, text in sheet.segments)


class _Bundle:
    """A ZipFile whose entries carry Beijing time and are listed in the manifest."""

    def __init__(self, target: str | IO[bytes], stamp: datetime) -> None:
        self.zip = zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED)
        self.stamp = stamp.timetuple()[:6]
        self.used: set[str] = set()
        self.files: list[dict[str, Any]] = []

    def info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self.stamp)
        stored = Path(name).suffix.lower() in STORED
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info

    def add(self, name: str, data: bytes, **extra: Any) -> None:
        name = _unique(name, self.used)
        self.zip.writestr(self.info(name), data)
        digest = hashlib.sha256(data).hexdigest()
        self.files.append({"name": name, "bytes": len(data), "sha256": digest, **extra})

    def copy(self, name: str, source: Path, **extra: Any) -> None:
        name = _unique(name, self.used)
        digest, size = hashlib.sha256(), 0
        with source.open("rb") as src, self.zip.open(self.info(name), "w") as out:
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
        self.files.append({"name": name, "bytes": size, "sha256": digest.hexdigest(), **extra})


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
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    now = clock.now().astimezone(zone)
    bundle = _Bundle(target, now)
    folders = {
        r.submission_id: "" if branch else safe_filename(r.branch or "未分支部") + "/"
        for r in table.rows
        if r.submission_id is not None and r.state not in ("", "draft")
    }
    ids = list(folders)
    with bundle.zip:
        workbook = io.BytesIO()
        write_xlsx(table, workbook)
        bundle.add(f"{bundle_name(period, branch)}.xlsx", workbook.getvalue(), kind="xlsx")
        for done, (sheet, pdf) in enumerate(_drawn(load_sheets(ids), len(ids)), start=1):
            _add_activist(bundle, folders[sheet.submission_id], sheet, pdf, zone)
            if progress and done % 10 == 0:
                progress(done / (len(ids) + 1))
        manifest = {
            "period": period.name,
            "branch": branch.name if branch else None,
            "generated_at": now.isoformat(timespec="seconds"),
            "timezone": str(zone),
            "files": bundle.files,
        }
        text = json.dumps(manifest, ensure_ascii=False, indent=2)
        bundle.zip.writestr(bundle.info(MANIFEST), text)  # the manifest does not list itself
    if progress:
        progress(1.0)
    return manifest


def _workers(count: int) -> int:
    setting = current_app.config["EXPORT_PDF_WORKERS"]
    if count < PARALLEL_FROM or setting == 1:
        return 1
    return setting or min(os.cpu_count() or 1, 4)


def _drawn(sheets: Iterable[Sheet], count: int) -> Iterator[tuple[Sheet, bytes]]:
    """Yield each sheet with its PDF, drawn by a pool of forked processes for a large ZIP.

    Drawing is CPU-bound pure Python (2 000 sheets took over a minute in one process); the
    children inherit the app context, the registered font and the translations by fork, get
    plain Sheet values and touch neither the database nor Redis.
    """
    workers = _workers(count)
    if workers == 1:
        for sheet in sheets:
            yield sheet, render_sheet(sheet)
        return
    font()  # registered before the fork, so that no child reads the font file again
    with multiprocessing.get_context("fork").Pool(workers, initializer=_default_signals) as pool:
        # The next batch is read and handed to the pool before this one's PDFs are taken,
        # so the children draw while this process reads the database and writes the ZIP
        # (waiting for each batch left them idle at every batch's end).
        drawing: tuple[list[Sheet], Iterator[bytes]] | None = None
        for batch in _batches(sheets, CHUNK):
            queued = (batch, pool.imap(render_sheet, batch, chunksize=8))
            if drawing:
                yield from zip(*drawing, strict=True)
            drawing = queued
        if drawing:
            yield from zip(*drawing, strict=True)
        pool.close()  # all drawn: let the children finish; terminate is for a failed export
        pool.join()


def _default_signals() -> None:
    """Let a pool child die by SIGTERM and SIGINT whatever handlers the parent installed.

    An in-process RQ worker (SimpleWorker) installs its own; a child that inherited one could
    not be ended by the pool's terminate while it wrote a sheet, and the pool's join hung.
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _batches(sheets: Iterable[Sheet], size: int) -> Iterator[list[Sheet]]:
    batch: list[Sheet] = []
    for sheet in sheets:
        batch.append(sheet)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _add_activist(bundle: _Bundle, folder: str, sheet: Sheet, pdf: bytes, zone: ZoneInfo) -> None:
    stem = folder + safe_filename(f"{sheet.username}_{sheet.name}")
    who = {"username": sheet.username, "student": sheet.name}
    at = sheet.submitted_at
    submitted = at.astimezone(zone).isoformat(timespec="seconds") if at else None
    bundle.add(stem + ".pdf", pdf, kind="pdf", submitted_at=submitted, **who)
    files = [(p, name) for p, name in sheet.paper_files if storage.path(p).is_file()]
    for n, (stored, original) in enumerate(files, start=1):
        ext = (Path(stored).suffix or Path(original).suffix).lower()
        suffix = f"_{n}" if len(files) > 1 else ""
        bundle.copy(
            f"{stem}_书面汇报{suffix}{ext}",
            storage.path(stored),
            kind="paper",
            original_name=original,
            **who,
        )
    if not files and sheet.paper_text.strip():
        bundle.add(f"{stem}_书面汇报.txt", sheet.paper_text.encode(), kind="paper", **who)
    if sheet.segments:
        bundle.add(f"{stem}_转写.txt", transcript_text(sheet).encode(), kind="transcript", **who)


__all__ = ["MANIFEST", "bundle_name", "pdf_name", "transcript_text", "write_zip"]
