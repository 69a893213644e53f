"""消息: the in-app inbox page with the unread count in the header, and its API."""

from __future__ import annotations

from review.extensions import db
from review.services.notifications import notify
from tests.fixtures.app import PASSWORD


def _message(user, key: str, title: str = "审阅结果已发布", link: str | None = "/my/") -> None:
    notify(
        db.session,
        recipient_id=user.id,
        kind="result_released",
        key=key,
        title=title,
        body="决定：通过。请在“我的汇报”中查看反馈。",
        link=link,
    )


def _login(client, username: str) -> None:
    assert (
        client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
    )


def test_page_lists_messages_and_header_counts_unread(client, people):
    for n in range(3):
        _message(people["activist"], f"k{n}", title=f"第{n}条消息")
    _message(people["reviewer"], "other", title="别人的消息")
    db.session.commit()
    _login(client, "a1")
    html = client.get("/my/").get_data(as_text=True)
    assert 'class="messages-link"' in html and ">3</span>" in html
    page = client.get("/messages/").get_data(as_text=True)
    assert "第0条消息" in page and "第2条消息" in page and "别人的消息" not in page
    assert page.index("第2条消息") < page.index("第0条消息")  # newest first


def test_mark_one_read_then_all(client, people):
    _message(people["activist"], "a")
    _message(people["activist"], "b", link=None)
    db.session.commit()
    _login(client, "a1")
    items = client.get("/api/v1/notifications").get_json()
    assert items["unread"] == 2
    first = items["items"][1]["id"]  # "a"
    resp = client.post(f"/messages/{first}/read", data={"open": "1"})
    assert resp.status_code == 302 and resp.location == "/my/"  # on to the page it is about
    assert client.get("/api/v1/notifications").get_json()["unread"] == 1
    assert client.post("/messages/read-all").status_code == 302
    assert client.get("/api/v1/notifications").get_json()["unread"] == 0
    assert 'class="count"' not in client.get("/messages/").get_data(as_text=True)


def test_another_users_message_is_not_found(client, people, token_for):
    _message(people["reviewer"], "x")
    db.session.commit()
    from review.models import Notification

    theirs = db.session.scalar(db.select(Notification.id))
    _login(client, "a1")
    assert client.post(f"/messages/{theirs}/read").status_code == 404
    script = client.application.test_client()  # no cookie: a client with its bearer token
    resp = script.post(f"/api/v1/notifications/{theirs}/read", headers=token_for("a1"))
    assert resp.status_code == 404, resp.get_data(as_text=True)
    assert resp.get_json()["error"]["code"] == "not_found"


def test_api_with_a_token(client, people, token_for):
    _message(people["committee"], "digest", title="党委每日汇总")
    db.session.commit()
    headers = token_for("c1")
    body = client.get("/api/v1/notifications", headers=headers).get_json()
    (item,) = body["items"]
    assert item["title"] == "党委每日汇总" and item["read_at"] is None and body["unread"] == 1
    marked = client.post(f"/api/v1/notifications/{item['id']}/read", headers=headers)
    assert marked.status_code == 200 and marked.get_json()["read_at"]
    again = client.post("/api/v1/notifications/read-all", headers=headers).get_json()
    assert again == {"marked": 0, "unread": 0}
    assert client.get("/api/v1/notifications?unread=1", headers=headers).get_json()["items"] == []


def test_every_role_has_the_page(client, people):
    for username in ("a1", "r1", "c1", "admin"):
        _login(client, username)
        assert client.get("/messages/").status_code == 200
        assert client.get("/settings").status_code == 200
        client.post("/logout")


def test_settings_save_email_and_choices(client, people):
    _login(client, "a1")
    resp = client.post(
        "/settings", data={"email": " LiMing@Example.COM ", "on": ["deadline_reminder:email"]}
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert people["activist"].email == "LiMing@example.com"
    page = client.get("/settings").get_data(as_text=True)
    assert 'value="deadline_reminder:email" checked' in page
    assert 'value="result_released:email" >' in page or 'value="result_released:email"  ' in page
    bad = client.post("/settings", data={"email": "not-an-address"})
    assert bad.status_code == 400 and "格式不正确" in bad.get_data(as_text=True)


def test_header_shows_99_plus(client, people):
    for n in range(101):
        _message(people["activist"], f"many{n}", title=f"消息{n}")
    db.session.commit()
    _login(client, "a1")
    assert ">99+</span>" in client.get("/messages/").get_data(as_text=True)
    assert client.get("/api/v1/notifications?limit=1").get_json()["unread"] == 101  # exact
