"""API v1: the caller's submissions and one submission with its video and transcript."""

from __future__ import annotations

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from review.access import get_version_or_404, readable_version, visible_submissions
from review.api import bp
from review.api.openapi import register
from review.api.serializers import submission_json
from review.extensions import db
from review.models import Submission
from review.services import audit


@bp.get("/submissions")
def list_submissions() -> ResponseReturnValue:
    """List the submissions the caller may see, filtered by period and state."""
    stmt = visible_submissions(current_user)
    period = request.args.get("period", type=int)
    if period is not None:
        stmt = stmt.where(Submission.period_id == period)
    if request.args.get("state"):
        stmt = stmt.where(Submission.state == request.args["state"])
    rows = db.session.scalars(stmt.order_by(Submission.id).limit(500))
    return jsonify(
        submissions=[submission_json(s, version=readable_version(current_user, s)) for s in rows]
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
    return jsonify(submission_json(version.submission, detail=True, version=version))


_SUB = {"$ref": "#/components/schemas/Submission"}
register(
    "/api/v1/submissions",
    {
        "get": {
            "summary": "The caller's submissions (activist: own, drafts too; reviewer: the"
            " submitted ones of their branches; committee: all submitted ones; admin: none)",
            "parameters": [
                {"name": "period", "in": "query", "schema": {"type": "integer"}},
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
                                "properties": {"submissions": {"type": "array", "items": _SUB}},
                            }
                        }
                    },
                },
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
            "summary": "One submission with video state, per-stage progress, error and transcript",
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
