"""Exports that run as RQ jobs on queue `default`, writing to storage.export_file()."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from rq.exceptions import NoSuchJobError
from rq.job import Job

from review import storage
from review.exceptions import NotFoundError, ValidationError
from review.extensions import db
from review.models import Branch, Period
from review.services import audit
from review.services.exports.zip import bundle_name

KINDS = ("xlsx", "csv", "zip")
MIME = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "zip": "application/zip",
    "pdf": "application/pdf",
}


def download_name(period_id: int, branch_id: int | None, kind: str) -> tuple[str, str]:
    """Return the Chinese file name of an export and its ASCII fallback."""
    period = db.session.get_one(Period, period_id)
    branch = db.session.get(Branch, branch_id) if branch_id else None
    ascii_name = f"huibao-period{period_id}" + (f"-branch{branch_id}" if branch_id else "")
    return f"{bundle_name(period, branch)}.{kind}", f"{ascii_name}.{kind}"


def start_export(
    actor_id: int, kind: str, period_id: int, branch_id: int | None = None, ip: str | None = None
) -> str:
    """Enqueue an export and audit it; return the job id."""
    if kind not in KINDS:
        raise ValidationError(_l("不支持的导出格式。"))
    if db.session.get(Period, period_id) is None:
        raise NotFoundError(_l("找不到该汇报周期。"))
    if branch_id is not None and db.session.get(Branch, branch_id) is None:
        raise NotFoundError(_l("找不到该支部。"))
    job_id = f"export-{kind}-{period_id}-{branch_id or 0}-{uuid.uuid4().hex[:12]}"
    name, fallback = download_name(period_id, branch_id, kind)
    queue = current_app.extensions["rq"]["default"]
    queue.enqueue(
        "workers.exports.build_export",
        kind,
        period_id,
        branch_id,
        job_id=job_id,
        job_timeout=1800,
        result_ttl=86400,
        failure_ttl=86400,
        meta={
            "actor_id": actor_id,
            "progress": 0.0,
            "kind": kind,
            "period_id": period_id,
            "branch_id": branch_id,
            "filename": name,
            "fallback": fallback,
        },
    )
    audit.record(
        actor_id,
        "export",
        "period",
        period_id,
        {"kind": kind, "branch_id": branch_id, "job_id": job_id, "via": "job"},
        ip,
    )
    return job_id


@dataclass
class ExportStatus:
    """Where an export job stands."""

    job_id: str
    status: str  # queued, started, finished, failed
    progress: float
    kind: str
    filename: str
    fallback: str
    path: Path | None  # set once the file is ready
    period_id: int | None = None
    branch_id: int | None = None


def export_status(job_id: str) -> ExportStatus:
    """Return the status of an export job.

    Raises:
        NotFoundError: no such export job (or it expired).
    """
    if not job_id.startswith("export-"):
        raise NotFoundError(_l("找不到该导出任务，可能已过期，请重新导出。"))
    try:
        job = Job.fetch(job_id, connection=current_app.extensions["redis"])
    except NoSuchJobError:
        raise NotFoundError(_l("找不到该导出任务，可能已过期，请重新导出。")) from None
    status = job.get_status(refresh=True)
    status = getattr(status, "value", status)
    kind = job.meta.get("kind", "xlsx")
    path = storage.export_file(job_id, kind)
    ready = status == "finished" and path.exists()
    return ExportStatus(
        job_id=job_id,
        status=status,
        progress=float(job.meta.get("progress", 0)),
        kind=kind,
        filename=job.meta.get("filename", path.name),
        fallback=job.meta.get("fallback", path.name),
        path=path if ready else None,
        period_id=job.meta.get("period_id"),
        branch_id=job.meta.get("branch_id"),
    )
