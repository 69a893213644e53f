"""API v1 for committee scripts: period exports and one activist's assessment sheet."""

from __future__ import annotations

from flask import request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from review.access import get_version_or_404
from review.api import bp
from review.api.openapi import register
from review.errors import error_response
from review.extensions import db
from review.models import Branch, Period, Role
from review.sendfile import send_built
from review.services import audit
from review.services.exports import content_disposition
from review.services.exports.downloads import build_assessment, build_period_export
from review.services.exports.jobs import MIME, download_name


def _refused() -> ResponseReturnValue | None:
    if not current_user.has_role(Role.COMMITTEE):
        return error_response(403, "forbidden", _("只有党委/组织部可以导出考核文件。"))
    return None


def _scope(period_id: int) -> tuple[Period | None, int | None]:
    period = db.session.get(Period, period_id)
    branch_id = request.args.get("branch", type=int)
    if period is None or (branch_id is not None and db.session.get(Branch, branch_id) is None):
        return None, None
    return period, branch_id


@bp.get("/periods/<int:period_id>/export.xlsx")
def export_xlsx(period_id: int) -> ResponseReturnValue:
    """Download a period's (or one branch's) workbook."""
    return _export(period_id, "xlsx")


@bp.get("/periods/<int:period_id>/export.csv")
def export_csv(period_id: int) -> ResponseReturnValue:
    """Download a period's (or one branch's) rows as CSV (UTF-8 with BOM)."""
    return _export(period_id, "csv")


@bp.get("/periods/<int:period_id>/export.zip")
def export_zip(period_id: int) -> ResponseReturnValue:
    """Download a period's (or one branch's) bundle: workbook, PDFs, manifest."""
    return _export(period_id, "zip")


def _export(period_id: int, kind: str) -> ResponseReturnValue:
    refused = _refused()
    if refused:
        return refused
    period, branch_id = _scope(period_id)
    if period is None:
        return error_response(404, "not_found", _("找不到该汇报周期或支部。"))
    name, fallback = download_name(period.id, branch_id, kind)
    data, path = build_period_export(period.id, branch_id, kind)
    return send_built(
        data,
        path,
        MIME[kind],
        content_disposition=content_disposition(name, fallback),
        before_send=lambda: audit.record_read(
            current_user.id,
            "period",
            period.id,
            f"export:{kind}:{period.id}:{branch_id or 0}",
            request.remote_addr,
            detail={"kind": kind, "branch_id": branch_id, "via": "api"},
        ),
    )


@bp.get("/submissions/<int:submission_id>/assessment.pdf")
def assessment_sheet(submission_id: int) -> ResponseReturnValue:
    """Download one activist's assessment sheet as PDF."""
    refused = _refused()
    if refused:
        return refused
    return send_assessment(submission_id, via="api")


def send_assessment(submission_id: int, *, via: str | None = None) -> ResponseReturnValue:
    """Answer one activist's assessment sheet to a committee member, audited (both routes)."""
    version = get_version_or_404(submission_id)
    submission = version.submission
    data, path, name, fallback = build_assessment(submission, version.id)
    detail = {"kind": "pdf"} if via is None else {"kind": "pdf", "via": via}
    return send_built(
        data,
        path,
        MIME["pdf"],
        content_disposition=content_disposition(name, fallback),
        before_send=lambda: audit.record_read(
            current_user.id,
            "submission",
            submission.id,
            f"assessment:{version.id}",
            request.remote_addr,
            detail=detail,
        ),
    )


_ERR = {"$ref": "#/components/schemas/Error"}


def _file(mime: str, what: str) -> dict:
    return {
        "description": what,
        "headers": {
            "Content-Disposition": {
                "description": "attachment; filename=ASCII fallback; filename*=UTF-8''<中文文件名>",
                "schema": {"type": "string"},
            }
        },
        "content": {mime: {"schema": {"type": "string", "format": "binary"}}},
    }


def _errs() -> dict:
    return {
        str(c): {"description": d, "content": {"application/json": {"schema": _ERR}}}
        for c, d in (
            (401, "not logged in"),
            (403, "not committee"),
            (404, "no such period, branch or submission"),
        )
    }


_PERIOD = [
    {"name": "period_id", "in": "path", "required": True, "schema": {"type": "integer"}},
    {
        "name": "branch",
        "in": "query",
        "schema": {"type": "integer"},
        "description": "only this branch",
    },
]
for _kind, _mime, _what in (
    (
        "xlsx",
        MIME["xlsx"],
        "workbook: summary sheet with agreement statistics, one sheet per branch",
    ),
    ("csv", "text/csv", "one row per activist, UTF-8 with BOM"),
    ("zip", MIME["zip"], "the workbook, one PDF per activist (学号_姓名.pdf), manifest.json"),
):
    register(
        f"/api/v1/periods/{{period_id}}/export.{_kind}",
        {
            "get": {
                "summary": f"Committee export of a period as {_kind.upper()} (committee only)",
                "parameters": _PERIOD,
                "responses": {"200": _file(_mime, _what), **_errs()},
            }
        },
    )
register(
    "/api/v1/submissions/{submission_id}/assessment.pdf",
    {
        "get": {
            "summary": "One activist's assessment sheet (committee only)",
            "parameters": [
                {
                    "name": "submission_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer"},
                }
            ],
            "responses": {"200": _file(MIME["pdf"], "assessment sheet"), **_errs()},
        }
    },
)
