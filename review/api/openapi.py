"""The OpenAPI document for /api/v1/; a test checks it lists every API route."""

from __future__ import annotations

from typing import Any

ERROR = {"$ref": "#/components/schemas/Error"}


def _resp(description: str, schema: dict | None = None) -> dict:
    body: dict[str, Any] = {"description": description}
    if schema is not None:
        body["content"] = {"application/json": {"schema": schema}}
    return body


def _errors(*codes: int) -> dict:
    return {str(c): _resp("error", ERROR) for c in codes}


PATHS: dict[str, dict] = {
    "/api/v1/session": {
        "post": {
            "summary": "Exchange username and password for a bearer token",
            "security": [],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["username", "password"],
                            "properties": {
                                "username": {"type": "string"},
                                "password": {"type": "string"},
                            },
                        }
                    }
                },
            },
            "responses": {
                "201": _resp(
                    "token",
                    {
                        "type": "object",
                        "properties": {
                            "token": {"type": "string"},
                            "must_change_password": {"type": "boolean"},
                            "user": {"$ref": "#/components/schemas/User"},
                        },
                    },
                ),
                **_errors(400, 401, 429),
            },
        },
        "delete": {
            "summary": "Revoke the bearer token in use",
            "responses": {"204": _resp("revoked"), **_errors(401)},
        },
    },
    "/api/v1/password": {
        "post": {
            "summary": "Change the caller's password; old tokens end, a new one is returned",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["current", "new"],
                            "properties": {
                                "current": {"type": "string"},
                                "new": {"type": "string"},
                            },
                        }
                    }
                },
            },
            "responses": {
                "200": _resp(
                    "changed",
                    {
                        "type": "object",
                        "properties": {
                            "token": {"type": "string"},
                            "must_change_password": {"type": "boolean"},
                        },
                    },
                ),
                **_errors(400, 401),
            },
        }
    },
    "/api/v1/me": {
        "get": {
            "summary": "The calling user",
            "responses": {
                "200": _resp("user", {"$ref": "#/components/schemas/User"}),
                **_errors(401, 403),
            },
        }
    },
    "/api/v1/openapi.json": {
        "get": {
            "summary": "This document",
            "security": [],
            "responses": {"200": _resp("OpenAPI document")},
        }
    },
}

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string", "description": "Simplified Chinese"},
                },
            }
        },
    },
    "User": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "username": {"type": "string"},
            "name": {"type": "string"},
            "role": {"type": "string", "enum": ["activist", "reviewer", "committee", "admin"]},
            "branch": {"type": ["string", "null"]},
            "reviewer_of": {"type": "array", "items": {"type": "string"}},
        },
    },
}


def register(path: str, operations: dict, schemas: dict | None = None) -> None:
    """Add the operations of an API path (used by the modules that define routes)."""
    PATHS.setdefault(path, {}).update(operations)
    SCHEMAS.update(schemas or {})


def build_spec() -> dict:
    """Return the OpenAPI 3.1 document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Huibao API",
            "version": "1.0.0",
            "description": "汇报：视频思想汇报审阅系统 API。错误信息为简体中文。",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }
