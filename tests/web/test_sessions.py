"""Sessions and tokens end with the password: change, admin reset, deactivation, logout."""

from __future__ import annotations

import contextvars

import pytest

from review.extensions import db
from review.models import ApiToken, User
from review.services import admin
from tests.fixtures.app import PASSWORD

HOME = "/my/"
NEW = "brand-new-pass-1"


def _token(client, username="a1", password=PASSWORD) -> dict:
    resp = client.post("/api/v1/session", json={"username": username, "password": password})
    assert resp.status_code == 201, resp.get_json()
    return {"Authorization": f"Bearer {resp.get_json()['token']}"}


def _fresh(app):
    """A client whose requests each get their own app context (and database session)."""
    other = app.test_client()
    shared_open = other.open
    other.open = lambda *a, **kw: contextvars.Context().run(shared_open, *a, **kw)
    return other


def _replay(app, cookie: str):
    """A second browser holding a copy of the session cookie."""
    other = _fresh(app)
    other.set_cookie("session", cookie)
    return other


def _logged_in(client, auth):
    assert auth.login("a1").status_code == 302
    assert client.get(HOME).status_code == 200
    return client.get_cookie("session").value


def _tokens_of(user) -> int:
    return db.session.scalar(
        db.select(db.func.count()).select_from(ApiToken).where(ApiToken.user_id == user.id)
    )


def test_password_change_ends_old_cookie_and_token(app, client, auth, people):
    cookie = _logged_in(client, auth)
    bearer = _token(client)
    resp = client.post("/password", data={"current": PASSWORD, "new": NEW, "confirm": NEW})
    assert resp.status_code == 302
    assert client.get(HOME).status_code == 200  # the browser that changed it stays signed in
    assert _replay(app, cookie).get(HOME).location.startswith("/login")
    assert _fresh(app).get("/api/v1/me", headers=bearer).status_code == 401
    assert _tokens_of(people["activist"]) == 0
    assert _fresh(app).get("/api/v1/me", headers=_token(client, password=NEW)).status_code == 200


def test_admin_reset_ends_old_cookie_and_token(app, client, auth, people):
    cookie = _logged_in(client, auth)
    bearer = _token(client)
    admin.reset_password(people["activist"].id, people["admin"].id)
    assert _replay(app, cookie).get(HOME).location.startswith("/login")
    assert client.get(HOME).location.startswith("/login")
    assert _fresh(app).get("/api/v1/me", headers=bearer).status_code == 401


def test_deactivation_deletes_tokens_for_good(app, client, auth, people):
    cookie = _logged_in(client, auth)
    bearer = _token(client)
    admin.set_active(people["activist"].id, False, people["admin"].id)
    assert _tokens_of(people["activist"]) == 0
    admin.set_active(people["activist"].id, True, people["admin"].id)
    # Reactivated: the old cookie and token do not come back to life.
    assert _replay(app, cookie).get(HOME).location.startswith("/login")
    assert _fresh(app).get("/api/v1/me", headers=bearer).status_code == 401


def test_logout_ends_a_copied_cookie(app, client, auth, people):
    cookie = _logged_in(client, auth)
    assert _replay(app, cookie).get(HOME).status_code == 200
    auth.logout()
    assert _replay(app, cookie).get(HOME).location.startswith("/login")


def test_login_starts_a_fresh_session(client, people):
    with client.session_transaction() as sess:
        sess["planted"] = "by someone else"
        sess["lang"] = "zh_CN"
    client.post("/login", data={"username": "a1", "password": PASSWORD})
    with client.session_transaction() as sess:
        assert "planted" not in sess and sess["lang"] == "zh_CN"


@pytest.mark.parametrize("cookie_id", ["{id}", "{id}.x", "x.0", ""])
def test_session_ids_without_a_valid_version_are_refused(app, client, people, cookie_id):
    user = people["activist"]
    with client.session_transaction() as sess:
        sess["_user_id"] = cookie_id.format(id=user.id)
        sess["_fresh"] = True
    assert client.get(HOME).location.startswith("/login")


def test_session_version_is_in_the_id(people):
    user = people["activist"]
    before = user.get_id()
    user.end_sessions()
    db.session.commit()
    assert before == f"{user.id}.0" and user.get_id() == f"{user.id}.1"
    assert db.session.get(User, user.id).session_version == 1
