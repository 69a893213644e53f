"""Group-chat robots through a real local webhook server: the 企业微信, 钉钉 (signed) and 飞书
bodies as their documentation describes them, error answers, and the admin's branch page."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from sqlalchemy import select

from review.extensions import db
from review.models import AuditEvent, Notification
from review.services.notifications import notify_branch, outbox
from review.services.notifications.channels.bots import detect, dingtalk_sign
from tests.fixtures.app import PASSWORD
from tests.notifications.conftest import save_artifact

TITLE = "一支部：3 份新汇报待审阅"
BODY = "今日新提交 3 份思想汇报：李明、赵红、王强。请在 14 天内完成审阅。"
SECRET = "SEC0123456789abcdef"


@pytest.fixture
def branch(app, people):
    app.config["PUBLIC_URL"] = "https://huibao.example.edu.cn"
    return people["activist"].branch


def _send(branch, url: str, kind: str, secret: str | None = None) -> Notification:
    branch.webhook_url, branch.webhook_type, branch.webhook_secret = url, kind, secret
    notify_branch(
        db.session,
        branch_id=branch.id,
        kind="reviews_ready",
        key=f"{kind}-2026-12-02",
        title=TITLE,
        body=BODY,
        link="/reviews/",
    )
    db.session.commit()
    row = db.session.scalar(select(Notification).where(Notification.key == f"{kind}-2026-12-02"))
    outbox.deliver(row.id)
    db.session.expire_all()
    return db.session.get_one(Notification, row.id)


def test_host_detection():
    assert detect("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k") == "wecom"
    assert detect("https://oapi.dingtalk.com/robot/send?access_token=t") == "dingtalk"
    assert detect("https://open.feishu.cn/open-apis/bot/v2/hook/abc") == "feishu"
    assert detect("http://127.0.0.1:8080/hook") is None
    assert detect("http://127.0.0.1:8080/hook", "feishu") == "feishu"


def test_wecom_markdown(branch, bot_server):
    row = _send(branch, f"{bot_server.url}/cgi-bin/webhook/send?key=KEY1", "wecom")
    assert row.state == "sent" and row.last_error is None
    (post,) = bot_server.posts
    assert post["path"] == "/cgi-bin/webhook/send" and post["query"] == {"key": "KEY1"}
    assert post["content_type"] == "application/json; charset=utf-8"
    assert post["json"] == {
        "msgtype": "markdown",
        "markdown": {
            "content": f"**{TITLE}**\n\n{BODY}\n\n[查看详情](https://huibao.example.edu.cn/reviews/)"
        },
    }
    assert "李明".encode() in post["raw"]  # UTF-8 on the wire, not \\u escapes


def test_dingtalk_signed_markdown(branch, bot_server):
    row = _send(branch, f"{bot_server.url}/robot/send?access_token=TOKEN", "dingtalk", SECRET)
    assert row.state == "sent"
    (post,) = bot_server.posts
    query = post["query"]
    assert post["path"] == "/robot/send" and query["access_token"] == "TOKEN"
    stamp = query["timestamp"]
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"{stamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == expected  # parse_qs decoded the URL-encoded base64
    assert post["json"] == {
        "msgtype": "markdown",
        "markdown": {
            "title": TITLE,
            "text": f"**{TITLE}**\n\n{BODY}\n\n[查看详情](https://huibao.example.edu.cn/reviews/)",
        },
    }
    save_artifact(
        "received-dingtalk.json",
        json.dumps(
            {"path": post["path"], "query": query, "body": post["json"]}, ensure_ascii=False,
            indent=2,
        ).encode(),
    )  # fmt: skip


def test_dingtalk_sign_is_url_encoded():
    sign = dingtalk_sign("SECx", 1700000000000)
    assert "%" in sign or sign.isalnum()  # +, / and = are escaped
    assert "+" not in sign and "/" not in sign and "=" not in sign


def test_feishu_text_signed(branch, bot_server):
    bot_server.answer = {"code": 0, "msg": "success", "data": {}}
    row = _send(branch, f"{bot_server.url}/open-apis/bot/v2/hook/HOOK", "feishu", SECRET)
    assert row.state == "sent"
    (post,) = bot_server.posts
    body = post["json"]
    assert post["path"] == "/open-apis/bot/v2/hook/HOOK"
    assert body["msg_type"] == "text"
    assert body["content"] == {"text": f"{TITLE}\n{BODY}\nhttps://huibao.example.edu.cn/reviews/"}
    key = f"{body['timestamp']}\n{SECRET}".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def test_errcode_is_a_failure(branch, bot_server):
    bot_server.answer = {"errcode": 310000, "errmsg": "sign not match"}
    row = _send(branch, f"{bot_server.url}/robot/send?access_token=T", "dingtalk", "wrong")
    assert row.state == "pending" and row.attempts == 1
    assert "310000" in row.last_error and "sign not match" in row.last_error


def test_http_error_is_a_failure(branch, bot_server):
    bot_server.status, bot_server.answer = 500, {"error": "boom"}
    row = _send(branch, f"{bot_server.url}/cgi-bin/webhook/send?key=K", "wecom")
    assert row.state == "pending" and "HTTP 500" in row.last_error


def _admin(client) -> None:
    assert (
        client.post("/login", data={"username": "admin", "password": PASSWORD}).status_code == 302
    )


def test_admin_sets_the_webhook_and_sends_a_test(client, branch, bot_server):
    _admin(client)
    page = f"/admin/branches/{branch.id}"
    assert "群机器人" in client.get(page).get_data(as_text=True)
    bad = client.post(page, data={"webhook_url": f"{bot_server.url}/hook", "webhook_type": ""})
    assert bad.status_code == 302
    assert "无法从地址识别机器人类型" in client.get(page).get_data(as_text=True)
    url = f"{bot_server.url}/robot/send?access_token=T"
    data = {"webhook_url": url, "webhook_type": "dingtalk", "webhook_secret": SECRET}
    assert client.post(page, data=data).status_code == 302
    db.session.expire_all()
    assert (branch.webhook_url, branch.webhook_type, branch.webhook_secret) == (
        url,
        "dingtalk",
        SECRET,
    )
    html = client.get(page).get_data(as_text=True)
    assert SECRET not in html and "已设置，留空则不变" in html
    client.post(page, data={"webhook_url": url, "webhook_type": "dingtalk", "webhook_secret": ""})
    db.session.expire_all()
    assert branch.webhook_secret == SECRET  # an empty field keeps it
    assert client.post(f"{page}/test-bot").status_code == 302
    (post,) = bot_server.posts
    assert post["json"]["markdown"]["title"] == "汇报系统测试消息" and post["query"]["sign"]
    assert "测试消息已发送" in client.get(page).get_data(as_text=True)
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "branch_webhook"))
    assert [e.detail["signed"] for e in audit] == [True, False]
    bot_server.answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
    client.post(f"{page}/test-bot")
    assert "invalid webhook url" in client.get(page).get_data(as_text=True)
