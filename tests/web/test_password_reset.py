"""Self-service password reset: same answer for everyone, throttled, a link that works once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from review import clock
from review.extensions import db
from review.models import User
from review.services import password_reset
from tests.fixtures.app import PASSWORD
from tests.services.reminder_data import rows
from tests.web.test_sessions import _fresh, _logged_in, _replay, _token

NEW = "lanqiu-xigua-47-moon"
SENT = "如果该账号存在并登记了邮箱"


@pytest.fixture
def mailed(app, people):
    """a1 has an email address, and an SMTP server is configured (nothing is delivered here)."""
    app.config["SMTP_URL"] = "smtp://127.0.0.1:9?tls=none"
    people["activist"].email = "liming@example.cn"
    db.session.commit()
    return people["activist"]


def _link(user: User) -> str:
    got = rows("password_reset", channel="email", recipient_id=user.id)
    assert got, "no reset mail in the outbox"
    assert re.fullmatch(r"/password/reset/[\w.-]+", got[-1].link)
    return got[-1].link


def _text(resp) -> str:
    return resp.get_data(as_text=True)


@pytest.mark.parametrize("identifier", ["a1", "LiMing@Example.cn", "nobody", "a2", "x@y.cn"])
def test_the_answer_is_the_same_for_every_account(client, mailed, identifier):
    resp = client.post("/password/forgot", data={"identifier": identifier})
    assert resp.status_code == 200 and SENT in _text(resp)
    sent = rows("password_reset", channel="email")
    assert len(sent) == (1 if identifier in ("a1", "LiMing@Example.cn") else 0)  # a2: no email
    assert rows("password_reset", channel="inapp") == []  # email only


def test_the_login_page_links_to_the_reset(client):
    assert 'href="/password/forgot"' in _text(client.get("/login"))


def test_requests_are_throttled_per_account_and_per_network(app, client, mailed):
    app.config.update(PASSWORD_RESET_PER_ACCOUNT=2, PASSWORD_RESET_PER_ADDRESS=4)
    for _ in range(3):
        assert client.post("/password/forgot", data={"identifier": "a1"}).status_code == 200
    assert len(rows("password_reset", channel="email")) == 2  # the third: same answer, no mail
    assert client.post("/password/forgot", data={"identifier": "a2"}).status_code == 200
    resp = client.post("/password/forgot", data={"identifier": "nobody"})
    assert resp.status_code == 429 and "次数过多" in _text(resp)


def test_the_link_resets_once_and_ends_every_session_and_token(app, client, auth, mailed):
    cookie = _logged_in(client, auth)
    bearer = _token(client)
    client.post("/logout")
    client.post("/password/forgot", data={"identifier": "a1"})
    link = _link(mailed)
    page = client.get(link)
    assert page.status_code == 200 and "a1" in _text(page)
    weak = client.post(link, data={"new": "a1a1a1a1a1a1", "confirm": "a1a1a1a1a1a1"})
    assert weak.status_code == 200 and "太容易被猜到" in _text(weak)
    done = client.post(link, data={"new": NEW, "confirm": NEW})
    assert done.status_code == 302 and done.location == "/login"
    assert _replay(app, cookie).get("/my/").location.startswith("/login")
    assert _fresh(app).get("/api/v1/me", headers=bearer).status_code == 401
    assert auth.login("a1", NEW).status_code == 302
    again = _fresh(app).get(link)
    assert again.status_code == 400 and "已失效" in _text(again)
    assert _fresh(app).post(link, data={"new": NEW + "x", "confirm": NEW + "x"}).status_code == 400
    notice = rows("password_changed", recipient_id=mailed.id)
    assert len(notice) == 1 and "通过邮件中的重置链接重新设置" in notice[0].body


def test_the_link_expires(app, client, mailed, monkeypatch):
    client.post("/password/forgot", data={"identifier": "a1"})
    link = _link(mailed)
    token = link.rsplit("/", 1)[-1]
    later = clock.now() + timedelta(minutes=app.config["PASSWORD_RESET_MINUTES"], seconds=1)
    assert password_reset.user_for_token(token) is not None
    monkeypatch.setattr("review.clock.now", lambda: later)
    assert password_reset.user_for_token(token) is None
    resp = client.post(link, data={"new": NEW, "confirm": NEW})
    assert resp.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, mailed.id).check_password(PASSWORD)


@pytest.mark.parametrize("token", ["", "x", "a" * 400, "WzEsMiwzXQ.bad"])
def test_a_forged_link_is_refused(client, people, token):
    resp = client.get(f"/password/reset/{token}" if token else "/password/reset/-")
    assert resp.status_code == 400 and "已失效" in _text(resp)


def test_a_logout_everywhere_kills_the_link(client, mailed):
    client.post("/password/forgot", data={"identifier": "a1"})
    link = _link(mailed)
    mailed.end_sessions()
    db.session.commit()
    assert client.get(link).status_code == 400
