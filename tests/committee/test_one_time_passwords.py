"""Initial and reset passwords are shown once from Redis, never carried in the session cookie."""

from __future__ import annotations

import json

from sqlalchemy import select

from review.extensions import db
from review.models import User
from review.services import accounts
from tests.fixtures.app import PASSWORD


def _cookie_payload(app, client) -> str:
    """The session cookie as its holder can read it (signed, not encrypted)."""
    cookie = client.get_cookie("session")
    if cookie is None:
        return ""
    data = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    return json.dumps(data, ensure_ascii=False)


def _password_on(page: str) -> str | None:
    start = page.find('<div class="alert alert-warning" role="alert" id="one-time-password">')
    if start < 0:
        return None
    return page[page.index("<code>", start) + 6 : page.index("</code>", start)]


def test_reset_password_is_shown_once_and_never_in_the_cookie(app, client, auth, people):
    auth.login("admin")
    a1 = people["activist"]
    resp = client.post(f"/admin/users/{a1.id}/password")
    assert resp.status_code == 302
    assert "shown=" in resp.location
    page = client.get(resp.location)
    html = page.get_data(as_text=True)
    password = _password_on(html)
    assert password and "a1 的临时密码" in html and "已重置 a1 的密码" in html
    assert page.headers["Cache-Control"] == "no-store"
    db.session.expire_all()
    assert db.session.get(User, a1.id).check_password(password)
    assert password not in _cookie_payload(app, client)
    again = client.get(resp.location).get_data(as_text=True)
    assert password not in again and "该密码已显示过或已过期" in again


def test_created_account_password_is_shown_once(app, client, auth, people):
    auth.login("admin")
    resp = client.post(
        "/admin/users", data={"username": "c9", "name": "周书记", "role": "committee"}
    )
    assert password_not_in_cookie(app, client)
    html = client.get(resp.location).get_data(as_text=True)
    password = _password_on(html)
    assert password and "c9 的初始密码" in html and "已创建账号 c9（周书记）。" in html
    user = db.session.scalar(select(User).where(User.username == "c9"))
    assert user.check_password(password) and user.must_change_password
    assert password not in _cookie_payload(app, client)
    assert _password_on(client.get(resp.location).get_data(as_text=True)) is None


def password_not_in_cookie(app, client) -> bool:
    payload = _cookie_payload(app, client)
    return "初始密码" not in payload and "临时密码" not in payload


def test_another_admin_cannot_take_it(app, client, auth, people):
    accounts.create_user("admin2", "另一位管理员", "admin", PASSWORD)
    auth.login("admin")
    location = client.post(f"/admin/users/{people['activist'].id}/password").location
    other = app.test_client()
    other.post("/login", data={"username": "admin2", "password": PASSWORD})
    assert _password_on(other.get(location).get_data(as_text=True)) is None
    assert _password_on(client.get(location).get_data(as_text=True))  # still there for its admin


def test_it_lives_in_redis_with_a_ttl(app, client, auth, people):
    auth.login("admin")
    client.post(f"/admin/users/{people['activist'].id}/password")
    redis = app.extensions["redis"]
    (key,) = redis.keys(app.config["REDIS_PREFIX"] + "onetime:*")
    assert 0 < redis.ttl(key) <= 600
