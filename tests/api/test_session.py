"""API bearer tokens: POST/DELETE /api/v1/session, /api/v1/me, JSON errors in Chinese."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC

import pytest

from review.extensions import db
from review.models import ApiToken
from review.services import tokens
from tests.fixtures.app import PASSWORD

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def client(isolated_client):
    """The isolated client: each request in a fresh app context, as in production."""
    return isolated_client


def _error(resp, status: int, code: str | None = None) -> str:
    assert resp.status_code == status, resp.get_data(as_text=True)
    body = resp.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    if code:
        assert body["error"]["code"] == code
    assert CJK.search(body["error"]["message"]), body
    return body["error"]["message"]


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"data": "not json", "content_type": "application/json"},
        {"data": "username=a1&password=x", "content_type": "application/x-www-form-urlencoded"},
        {"json": ["a1", PASSWORD]},
        {"json": {"username": "a1"}},
        {"json": {"password": PASSWORD}},
        {"json": {"username": "", "password": ""}},
    ],
)
def test_create_session_bad_request(client, kwargs):
    message = _error(client.post("/api/v1/session", **kwargs), 400, "invalid")
    assert message == "请提供 JSON 格式的 username 和 password。"


def test_create_session_bad_password(client):
    resp = client.post("/api/v1/session", json={"username": "a1", "password": "wrong"})
    assert _error(resp, 401, "bad_credentials") == "学号/工号或密码不正确。"


def test_create_session_unknown_user(client):
    resp = client.post("/api/v1/session", json={"username": "ghost", "password": PASSWORD})
    _error(resp, 401, "bad_credentials")


def test_create_session(client, people):
    resp = client.post("/api/v1/session", json={"username": "a1", "password": PASSWORD})
    assert resp.status_code == 201
    body = resp.get_json()
    assert len(body["token"]) >= 32
    assert body["must_change_password"] is False
    assert body["user"] == {
        "id": people["activist"].id,
        "username": "a1",
        "name": "李明",
        "role": "activist",
        "branch": "一支部",
        "reviewer_of": [],
    }
    assert "Set-Cookie" not in resp.headers or "session=" not in resp.headers["Set-Cookie"]


def test_only_a_hash_is_stored(client, people):
    token = client.post(
        "/api/v1/session", json={"username": "a1", "password": PASSWORD}
    ).get_json()["token"]
    row = db.session.scalar(db.select(ApiToken))
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in row.token_hash


def test_token_lifetime_follows_config(make_app, people):
    from datetime import datetime, timedelta

    client = make_app(API_TOKEN_DAYS=2).test_client()
    assert (
        client.post("/api/v1/session", json={"username": "a1", "password": PASSWORD}).status_code
        == 201
    )
    expires = db.session.scalar(db.select(ApiToken)).expires_at
    assert abs(expires - (datetime.now(UTC) + timedelta(days=2))) < timedelta(minutes=1)


def test_bearer_on_me(client, token_for):
    resp = client.get("/api/v1/me", headers=token_for("r1"))
    assert resp.status_code == 200
    assert resp.get_json() == {
        "id": resp.get_json()["id"],
        "username": "r1",
        "name": "王老师",
        "role": "reviewer",
        "branch": None,
        "reviewer_of": ["一支部"],
    }


def test_bearer_scheme_is_case_insensitive(client, token_for):
    token = token_for("a1")["Authorization"].split()[1]
    assert client.get("/api/v1/me", headers={"Authorization": f"bearer {token}"}).status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "Bearer not-a-real-token",
        "Bearer ",
        "Basic YTE6eA==",
        "Token abc",
    ],
)
def test_invalid_token(client, header):
    resp = client.get("/api/v1/me", headers={"Authorization": header})
    assert _error(resp, 401, "unauthorized") == "请先登录。"


def test_no_token(client):
    _error(client.get("/api/v1/me"), 401, "unauthorized")


def test_expired_token(client, people):
    token = tokens.issue_token(people["activist"].id, days=-1)
    _error(client.get("/api/v1/me", headers=_bearer(token)), 401, "unauthorized")


def test_delete_revokes(client, token_for):
    headers = token_for("a1")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    resp = client.delete("/api/v1/session", headers=headers)
    assert resp.status_code == 204 and resp.get_data() == b""
    _error(client.get("/api/v1/me", headers=headers), 401)
    assert db.session.scalar(db.select(db.func.count()).select_from(ApiToken)) == 0


def test_delete_revokes_only_that_token(client, token_for):
    first, second = token_for("a1"), token_for("a1")
    assert client.delete("/api/v1/session", headers=first).status_code == 204
    assert client.get("/api/v1/me", headers=first).status_code == 401
    assert client.get("/api/v1/me", headers=second).status_code == 200


def test_delete_needs_auth(client):
    _error(client.delete("/api/v1/session"), 401, "unauthorized")


def test_deactivated_user_token_refused(client, token_for, people):
    headers = token_for("a1")
    people["activist"].active = False
    db.session.commit()
    _error(client.get("/api/v1/me", headers=headers), 401, "unauthorized")


def test_deactivated_user_cannot_get_token(client, people):
    people["activist"].active = False
    db.session.commit()
    resp = client.post("/api/v1/session", json={"username": "a1", "password": PASSWORD})
    _error(resp, 401, "bad_credentials")


def test_must_change_password_reported(client, people):
    from review.services import accounts

    accounts.create_user(
        "2024100", "新同学", "activist", "initial-pw-2024", ["一支部"], must_change_password=True
    )
    resp = client.post(
        "/api/v1/session", json={"username": "2024100", "password": "initial-pw-2024"}
    )
    assert resp.status_code == 201 and resp.get_json()["must_change_password"] is True


def test_token_does_not_log_into_pages(client, token_for):
    resp = client.get("/password", headers=token_for("a1"))
    assert resp.status_code == 302 and resp.location.startswith("/login")


def test_user_for_token(people):
    token = tokens.issue_token(people["reviewer"].id)
    assert tokens.user_for_token(token) is people["reviewer"]
    assert tokens.user_for_token(token + "x") is None
    tokens.revoke_token(token)
    assert tokens.user_for_token(token) is None
    tokens.revoke_token(token)  # revoking twice is harmless


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("get", "/api/v1/nothing-here", 404, "not_found"),
        ("put", "/api/v1/session", 405, "method_not_allowed"),
    ],
)
def test_api_errors_are_json(client, token_for, method, path, status, code):
    resp = getattr(client, method)(path, headers=token_for("a1"))
    _error(resp, status, code)
