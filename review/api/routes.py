"""API v1: session tokens, the caller, the OpenAPI document."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, make_response, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from review.api import bp
from review.api.openapi import build_spec
from review.auth import bearer_token, is_token_authenticated
from review.auth.routes import start_session
from review.errors import error_response
from review.services import accounts, tokens
from review.services.throttle import LoginThrottledError


@bp.post("/session")
def create_session() -> ResponseReturnValue:
    """Exchange a username and password for a bearer token."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not data.get("username") or not data.get("password"):
        return error_response(400, "invalid", _("请提供 JSON 格式的 username 和 password。"))
    try:
        user = accounts.authenticate(
            str(data["username"]), str(data["password"]), request.remote_addr
        )
    except LoginThrottledError as exc:
        response = make_response(error_response(429, exc.code, exc.message))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    if user is None:
        return error_response(401, "bad_credentials", _("学号/工号或密码不正确。"))
    token = tokens.issue_token(user.id, current_app.config["API_TOKEN_DAYS"])
    return jsonify(
        token=token, user=user_json(user), must_change_password=user.must_change_password
    ), 201


@bp.delete("/session")
def delete_session() -> ResponseReturnValue:
    """Revoke the bearer token used for this request."""
    token = bearer_token(request)
    if token:
        tokens.revoke_token(token)
    return "", 204


@bp.post("/password")
def change_password() -> ResponseReturnValue:
    """Change the caller's password; every old token and session ends, a new token is returned."""
    data = request.get_json(silent=True)
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("current"), str)
        or not isinstance(data.get("new"), str)
    ):
        return error_response(
            400, "invalid", _("请提供 JSON 格式的 current（当前密码）和 new（新密码）。")
        )
    user = current_user._get_current_object()
    accounts.change_password(user.id, data["current"], data["new"])
    body: dict[str, Any] = {"must_change_password": False}
    if is_token_authenticated():
        body["token"] = tokens.issue_token(user.id, current_app.config["API_TOKEN_DAYS"])
    else:
        start_session(user)
    return jsonify(body)


@bp.get("/me")
def me() -> ResponseReturnValue:
    """Return the calling user."""
    return jsonify(user_json(current_user))


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    """Return the OpenAPI 3.1 document of every /api/v1/ route."""
    return jsonify(build_spec())


def user_json(user) -> dict:  # noqa: ANN001
    """Serialise a user for the API."""
    return {
        "id": user.id,
        "username": user.username,
        "name": user.name,
        "role": user.role,
        "branch": user.branch.name if user.branch else None,
        "reviewer_of": [b.name for b in user.reviewer_of],
    }
