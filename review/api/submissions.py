"""API v1: the caller's submissions and one submission with its video and transcript."""

from __future__ import annotations

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from review.access import get_version_or_404, readable_version, visible_submissions
from review.api import bp
from review.api.openapi import register
from review.api.serializers import result_json, submission_json
from review.errors import error_response
from review.extensions import db
from review.models import Submission, SubmissionVersion, Video
from review.services import audit, decisions, releases
from review.services.pagination import CursorError, decode_cursor, encode_cursor

PAGE_MAX = 500


@bp.get("/submissions")
def list_submissions() -> ResponseReturnValue:
    """List the submissions the caller may see, filtered by period and state, a page at a time."""
    limit = request.args.get("limit", PAGE_MAX, type=int)
    if not 1 <= limit <= PAGE_MAX:
        return error_response(400, "bad_limit", _("每页条数应在 1 到 %(n)d 之间。", n=PAGE_MAX))
    stmt = visible_submissions(current_user)
    period = request.args.get("period", type=int)
    if period is not None:
        stmt = stmt.where(Submission.period_id == period)
    if request.args.get("state"):
        stmt = stmt.where(Submission.state == request.args["state"])
    if request.args.get("cursor"):
        try:
            (after,) = decode_cursor(request.args["cursor"], (int,))
        except CursorError:
            return error_response(400, "bad_cursor", _("分页游标无效，请从第一页重新获取。"))
        stmt = stmt.where(Submission.id > after)
    rows = list(
        db.session.scalars(
            stmt.order_by(Submission.id)
            .limit(limit + 1)
            .options(
                joinedload(Submission.activist),
                joinedload(Submission.period),
                selectinload(Submission.versions)
                .joinedload(SubmissionVersion.video)
                .load_only(Video.id, Video.state, Video.progress),
            )
        )
    )
    more, rows = len(rows) > limit, rows[:limit]
    return jsonify(
        submissions=[submission_json(s, version=readable_version(current_user, s)) for s in rows],
        next_cursor=encode_cursor(rows[-1].id) if more else None,
    )


@bp.get("/submissions/<int:submission_id>")
def get_submission(submission_id: int) -> ResponseReturnValue:
    """Return one submission with its video processing state and transcript."""
    version = get_version_or_404(submission_id)
    audit.record_read(  # the answer carries the transcript
        current_user.id,
        "submission",
        submission_id,
        f"transcript:{version.id}",
        ip=request.remote_addr,
    )
    data = submission_json(version.submission, detail=True, version=version)
    feedback = decisions.released_result(submission_id)
    data["result"] = result_json(feedback)
    if feedback is not None and feedback.version_id is not None:
        releases.record_opened(feedback.version_id, current_user.id, ip=request.remote_addr)
    return jsonify(data)


_SUB = {"$ref": "#/components/schemas/Submission"}
register(
    "/api/v1/submissions",
    {
        "get": {
            "summary": "The caller's submissions (activist: own, drafts too; reviewer: the"
            " submitted ones of their branches; committee: all submitted ones; admin: none)",
            "description": "Ordered by id. At most `limit` rows (default and maximum 500) per"
            " answer; when more match, `next_cursor` is set: pass it as `cursor` to get the next"
            " page (null on the last page). A cursor that was not handed out is refused (400,"
            " `bad_cursor`).",
            "parameters": [
                {"name": "period", "in": "query", "schema": {"type": "integer"}},
                {
                    "name": "limit",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 500},
                },
                {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                {
                    "name": "state",
                    "in": "query",
                    "schema": {
                        "type": "string",
                        "enum": [
                            "draft",
                            "submitted",
                            "in_review",
                            "reviewed",
                            "released",
                            "needs_revision",
                        ],
                    },
                },
            ],
            "responses": {
                "200": {
                    "description": "list",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "submissions": {"type": "array", "items": _SUB},
                                    "next_cursor": {"type": ["string", "null"]},
                                },
                            }
                        }
                    },
                },
                "400": {"description": "bad limit or cursor"},
                "401": {"description": "not logged in"},
            },
        }
    },
    {
        "Submission": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "state": {"type": "string"},
                "period": {"type": "object"},
                "activist": {"type": "object"},
                "version": {"type": "integer"},
                "paper": {"type": ["object", "null"]},
                "result": {
                    "type": ["object", "null"],
                    "description": "GET /submissions/{id} only: null until released; `shows`"
                    " is `scores` (marks, notes, overall comments, visible comments) or"
                    " `decision` (outcome and the committee's comment only)",
                    "properties": {
                        "outcome": {
                            "type": ["string", "null"],
                            "enum": ["pass", "revise", "fail", None],
                        },
                        "outcome_label": {"type": "string"},
                        "comment": {"type": "string"},
                        "released_at": {"type": "string", "format": "date-time"},
                        "shows": {"type": "string", "enum": ["scores", "decision"]},
                        "marks": {"type": "array", "items": {"type": "object"}},
                        "total": {"type": ["number", "null"]},
                        "max_total": {"type": ["integer", "null"]},
                        "overall": {"type": "array", "items": {"type": "string"}},
                        "comments": {"type": "array", "items": {"type": "object"}},
                    },
                },
                "video": {
                    "type": ["object", "null"],
                    "properties": {
                        "state": {
                            "type": "string",
                            "enum": ["uploaded", "processing", "ready", "failed"],
                        },
                        "progress": {"type": "object", "additionalProperties": {"type": "number"}},
                        "error": {"type": ["object", "null"]},
                        "duration": {"type": ["number", "null"]},
                        "size": {"type": "integer"},
                        "sha256": {"type": "string"},
                        "transcript": {"type": ["object", "null"]},
                    },
                },
            },
        }
    },
)
register(
    "/api/v1/submissions/{submission_id}",
    {
        "get": {
            "summary": "One submission with video state, per-stage progress, error and transcript;"
            " `result`: the released decision as the period lets the activist see it (the"
            " activist's first read of it is recorded: a release can no longer be withdrawn)",
            "parameters": [
                {
                    "name": "submission_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer"},
                }
            ],
            "responses": {
                "200": {
                    "description": "submission",
                    "content": {"application/json": {"schema": _SUB}},
                },
                "404": {"description": "not found or not yours"},
            },
        }
    },
)
