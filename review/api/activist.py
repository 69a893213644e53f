"""API v1 additions for the activist's page: autosave the paper text, submit a report.

The routes share the `api` blueprint's auth, CSRF and JSON errors; review/api/__init__.py
imports this module before the blueprints are registered.
"""

from __future__ import annotations

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from review.access import get_submission_or_404
from review.api import bp
from review.api.openapi import ERROR, register
from review.api.serializers import submission_json
from review.errors import error_response
from review.models import Role
from review.services import papers, submissions


def _refuse_non_activist():  # noqa: ANN202
    if not current_user.has_role(Role.ACTIVIST):
        return error_response(403, "forbidden", _("只有入党积极分子可以提交思想汇报。"))
    return None


@bp.put("/periods/<int:period_id>/paper")
def put_paper_text(period_id: int) -> ResponseReturnValue:
    """Save the typed paper report of the caller's draft for a period (autosave)."""
    refused = _refuse_non_activist()
    if refused:
        return refused
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        return error_response(400, "invalid", _("请以 JSON 格式提供 text 字段。"))
    version = papers.save_text(current_user.id, period_id, data["text"])
    return jsonify(
        paper={"kind": version.paper_kind, "chars": len(version.paper_text)},
        submission_id=version.submission_id,
        version=version.number,
    )


@bp.post("/submissions/<int:submission_id>/submit")
def submit_submission(submission_id: int) -> ResponseReturnValue:
    """Submit the caller's draft: both parts present; the version is then frozen."""
    refused = _refuse_non_activist()
    if refused:
        return refused
    submission = get_submission_or_404(submission_id)
    submissions.submit_version(current_user.id, submission.period_id)
    return jsonify(submission_json(submission, detail=True))


def _errors(*codes: int) -> dict:
    return {
        str(c): {"description": "error", "content": {"application/json": {"schema": ERROR}}}
        for c in codes
    }


def _path_id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


register(
    "/api/v1/periods/{period_id}/paper",
    {
        "put": {
            "summary": "Autosave the typed paper report of the caller's draft (activists only)",
            "parameters": [_path_id("period_id")],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["text"],
                            "properties": {"text": {"type": "string"}},
                        }
                    }
                },
            },
            "responses": {
                "200": {
                    "description": "saved",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "paper": {
                                        "type": "object",
                                        "properties": {
                                            "kind": {"type": ["string", "null"]},
                                            "chars": {"type": "integer"},
                                        },
                                    },
                                    "submission_id": {"type": "integer"},
                                    "version": {"type": "integer"},
                                },
                            }
                        }
                    },
                },
                **_errors(400, 401, 403, 404, 409),
            },
        }
    },
)
register(
    "/api/v1/submissions/{submission_id}/submit",
    {
        "post": {
            "summary": (
                "Submit the caller's draft; refused unless the video is ready and the paper exists"
            ),
            "parameters": [_path_id("submission_id")],
            "responses": {
                "200": {
                    "description": "submitted",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Submission"}}
                    },
                },
                **_errors(400, 401, 403, 404, 409),
            },
        }
    },
)
