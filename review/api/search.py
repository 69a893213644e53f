"""API v1: GET /api/v1/search?q= for scripts (same rules as the search page)."""

from __future__ import annotations

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from review.api import bp
from review.api.openapi import register
from review.search.routes import hit_url
from review.services import search as service


@bp.get("/search")
def search() -> ResponseReturnValue:
    """Find a phrase in the transcripts and paper reports the caller may read."""
    limit = min(max(request.args.get("limit", 50, type=int), 1), 200)
    hits = service.search(current_user.id, request.args.get("q", ""), limit=limit)
    return jsonify(
        query=request.args.get("q", "").strip(),
        results=[
            {
                "submission": h.submission_id,
                "kind": h.kind,
                "start": h.start,
                "snippet": {"before": h.before, "match": h.match, "after": h.after},
                "activist": h.activist,
                "period": h.period,
                "url": hit_url(h),
            }
            for h in hits
        ],
    )


register(
    "/api/v1/search",
    {
        "get": {
            "summary": "Substring search in transcripts and paper reports "
            "(reviewer: their branches; committee: all; activists: 403)",
            "parameters": [
                {
                    "name": "q",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string", "minLength": 1, "maxLength": 100},
                },
                {
                    "name": "limit",
                    "in": "query",
                    "schema": {"type": "integer", "default": 50, "maximum": 200},
                },
            ],
            "responses": {
                "200": {
                    "description": "hits, newest submissions first",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "query": {"type": "string"},
                                    "results": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/SearchHit"},
                                    },
                                },
                            }
                        }
                    },
                },
                "400": {
                    "description": "empty or too long query",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                },
                "401": {"description": "not logged in"},
                "403": {
                    "description": "activists may not search",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                    },
                },
            },
        }
    },
    {
        "SearchHit": {
            "type": "object",
            "properties": {
                "submission": {"type": "integer"},
                "kind": {"type": "string", "enum": ["transcript", "paper"]},
                "start": {"type": ["number", "null"], "description": "seconds into the video"},
                "snippet": {
                    "type": "object",
                    "properties": {
                        "before": {"type": "string"},
                        "match": {"type": "string"},
                        "after": {"type": "string"},
                    },
                },
                "activist": {"type": "string"},
                "period": {"type": "string"},
                "url": {"type": "string", "description": "the review page, at the matching moment"},
            },
        }
    },
)
