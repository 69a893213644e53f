"""A user on an initial password gets only the token and the password change from the API."""

from __future__ import annotations

import re

import pytest

from review.services import accounts

INITIAL = "initial-pw-2024"
NEW = "brand-new-pass-1"
MESSAGE = "请先修改初始密码（POST /api/v1/password），然后才能使用其他功能。"


@pytest.fixture
def newcomer(people):
    return accounts.create_user(
        "2024100", "新同学", "activist", INITIAL, ["一支部"], must_change_password=True
    )


def _bearer(client, password=INITIAL) -> dict:
    resp = client.post("/api/v1/session", json={"username": "2024100", "password": password})
    assert resp.status_code == 201
    return {"Authorization": f"Bearer {resp.get_json()['token']}"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/submissions"),
        ("GET", "/api/v1/submissions/1"),
        ("PUT", "/api/v1/periods/1/paper"),
        ("POST", "/api/v1/uploads/"),
    ],
)
def test_everything_else_is_refused(client, newcomer, method, path):
    resp = client.open(path, method=method, headers=_bearer(client), json={"text": "x"})
    assert resp.status_code == 403
    assert resp.get_json() == {"error": {"code": "password_change_required", "message": MESSAGE}}


def test_cookie_session_is_refused_too(client, auth, newcomer):
    auth.login("2024100", INITIAL)
    resp = client.get("/api/v1/me")
    assert resp.status_code == 403 and resp.get_json()["error"]["message"] == MESSAGE


def test_change_through_the_api(client, newcomer):
    old = _bearer(client)
    resp = client.post("/api/v1/password", headers=old, json={"current": INITIAL, "new": NEW})
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["must_change_password"] is False
    assert client.get("/api/v1/me", headers=old).status_code == 401
    fresh = {"Authorization": f"Bearer {body['token']}"}
    assert client.get("/api/v1/me", headers=fresh).get_json()["username"] == "2024100"


def test_change_through_the_api_with_the_cookie(client, auth, newcomer):
    auth.login("2024100", INITIAL)
    page = client.get("/password").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    resp = client.post(
        "/api/v1/password",
        json={"current": INITIAL, "new": NEW},
        headers={"X-CSRFToken": token},
    )
    assert resp.status_code == 200 and "token" not in resp.get_json(), resp.get_json()
    assert client.get("/api/v1/me").status_code == 200  # the session was renewed


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"current": "wrong-password-1", "new": NEW}, 400, "invalid"),
        ({"current": INITIAL}, 400, "invalid"),
        ("not an object", 400, "invalid"),
    ],
)
def test_change_refusals_are_chinese_json(client, newcomer, body, status, code):
    resp = client.post("/api/v1/password", headers=_bearer(client), json=body)
    assert resp.status_code == status
    error = resp.get_json()["error"]
    assert error["code"] == code and any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])


def test_logout_is_allowed(client, newcomer):
    assert client.delete("/api/v1/session", headers=_bearer(client)).status_code == 204
