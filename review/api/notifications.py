"""API v1: the caller's in-app notifications and marking them read."""

from __future__ import annotations

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from review.api import bp
from review.api.openapi import _errors, _resp, register
from review.models import Notification
from review.services.notifications import inbox


def notification_json(row: Notification) -> dict:
    """Serialise an in-app notification."""
    return {
        "id": row.id,
        "kind": row.kind,
        "title": row.title,
        "body": row.body,
        "link": row.link,
        "created_at": row.created_at.isoformat(),
        "read_at": row.read_at.isoformat() if row.read_at else None,
    }


@bp.get("/notifications")
def list_notifications() -> ResponseReturnValue:
    """Return the caller's notifications, newest first, and the unread count."""
    limit = min(max(request.args.get("limit", 50, type=int) or 50, 1), 200)
    rows = inbox.messages(
        current_user.id,
        limit=limit,
        before_id=request.args.get("before", type=int),
        unread_only=request.args.get("unread") in ("1", "true"),
    )
    return jsonify(
        items=[notification_json(r) for r in rows],
        unread=inbox.unread_count(current_user.id, cap=None),
    )


@bp.post("/notifications/<int:notification_id>/read")
def read_notification(notification_id: int) -> ResponseReturnValue:
    """Mark one of the caller's notifications read (404 for another's)."""
    row = inbox.mark_read(current_user.id, notification_id)
    return jsonify(notification_json(row))


@bp.post("/notifications/read-all")
def read_all_notifications() -> ResponseReturnValue:
    """Mark all the caller's notifications read."""
    marked = inbox.mark_all_read(current_user.id)
    return jsonify(marked=marked, unread=0)


ITEM = {"$ref": "#/components/schemas/Notification"}
register(
    "/api/v1/notifications",
    {
        "get": {
            "summary": "The caller's in-app notifications, newest first",
            "parameters": [
                {"name": "unread", "in": "query", "schema": {"type": "string", "enum": ["1"]}},
                {"name": "before", "in": "query", "schema": {"type": "integer"}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 200}},
            ],
            "responses": {
                "200": _resp(
                    "notifications",
                    {
                        "type": "object",
                        "properties": {
                            "items": {"type": "array", "items": ITEM},
                            "unread": {"type": "integer"},
                        },
                    },
                ),
                **_errors(401, 403),
            },
        }
    },
    {
        "Notification": {
            "type": "object",
            "properties": {
                "id": {"type": "integer"},
                "kind": {"type": "string"},
                "title": {"type": "string"},
                "body": {"type": "string"},
                "link": {"type": ["string", "null"], "description": "a path on this site"},
                "created_at": {"type": "string", "format": "date-time"},
                "read_at": {"type": ["string", "null"], "format": "date-time"},
            },
        }
    },
)
register(
    "/api/v1/notifications/{notification_id}/read",
    {
        "post": {
            "summary": "Mark one of the caller's notifications read",
            "parameters": [
                {
                    "name": "notification_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer"},
                }
            ],
            "responses": {"200": _resp("the notification", ITEM), **_errors(401, 403, 404)},
        }
    },
)
register(
    "/api/v1/notifications/read-all",
    {
        "post": {
            "summary": "Mark all the caller's notifications read",
            "responses": {
                "200": _resp(
                    "marked",
                    {
                        "type": "object",
                        "properties": {
                            "marked": {"type": "integer"},
                            "unread": {"type": "integer"},
                        },
                    },
                ),
                **_errors(401, 403),
            },
        }
    },
)
