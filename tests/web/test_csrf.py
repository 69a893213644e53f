"""CSRF: forms and cookie-authenticated API writes need the token; bearer clients do not."""

from __future__ import annotations

import re

import pytest

from tests.fixtures.app import PASSWORD

MESSAGE = "页面已过期或来源不明，请刷新页面后重试。"


@pytest.fixture
def client(make_app, people):
    """A client of an app with CSRF protection on, as in production."""
    app = make_app(WTF_CSRF_ENABLED=True)
    assert app.config["WTF_CSRF_ENABLED"]
    return app.test_client()


def _form_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, html
    return match.group(1)


def _meta_token(html: str) -> str:
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match, html
    return match.group(1)


def _login(client, username="a1") -> str:
    """Log in through the form with its token; return the page token for later writes."""
    token = _form_token(client.get("/login").get_data(as_text=True))
    resp = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return _meta_token(client.get("/password").get_data(as_text=True))


def test_login_without_token_is_refused(client):
    resp = client.post("/login", data={"username": "a1", "password": PASSWORD})
    assert resp.status_code == 400
    assert MESSAGE in resp.get_data(as_text=True)
    assert client.get("/password").status_code == 302


def test_login_with_wrong_token_is_refused(client):
    client.get("/login")
    resp = client.post(
        "/login", data={"username": "a1", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert resp.status_code == 400 and MESSAGE in resp.get_data(as_text=True)


def test_login_with_token_from_page_works(client):
    _login(client)
    assert client.get("/password").status_code == 200


def test_logout_without_token_is_refused(client):
    _login(client)
    assert client.post("/logout").status_code == 400
    assert client.get("/password").status_code == 200


def test_logout_with_token_works(client):
    token = _login(client)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/password").status_code == 302


def test_password_change_without_token_is_refused(client):
    _login(client)
    resp = client.post(
        "/password",
        data={"current": PASSWORD, "new": "another-pass-1", "confirm": "another-pass-1"},
    )
    assert resp.status_code == 400


def test_cookie_api_write_without_header_is_refused(client):
    _login(client)
    resp = client.delete("/api/v1/session")
    assert resp.status_code == 400
    assert resp.get_json() == {"error": {"code": "csrf", "message": MESSAGE}}


def test_cookie_api_write_with_header_works(client):
    token = _login(client)
    assert client.delete("/api/v1/session", headers={"X-CSRFToken": token}).status_code == 204


def test_cookie_api_read_needs_no_token(client):
    _login(client)
    assert client.get("/api/v1/me").status_code == 200


def test_bearer_api_write_needs_no_token(client):
    resp = client.post("/api/v1/session", json={"username": "a1", "password": PASSWORD})
    assert resp.status_code == 201  # the token endpoint itself is exempt
    headers = {"Authorization": f"Bearer {resp.get_json()['token']}"}
    assert client.delete("/api/v1/session", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_csrf_disabled_in_default_test_app(app):
    assert app.config["WTF_CSRF_ENABLED"] is False


def test_junk_bearer_header_does_not_skip_csrf(client):
    """A cookie-authenticated write with `Authorization: Bearer junk` still needs the token."""
    _login(client)
    resp = client.delete("/api/v1/session", headers={"Authorization": "Bearer junk"})
    assert resp.status_code == 400
    assert resp.get_json() == {"error": {"code": "csrf", "message": MESSAGE}}
    resp = client.post("/api/v1/submissions/1/submit", headers={"Authorization": "Bearer junk"})
    assert resp.status_code == 400
