"""End to end in Chromium on a phone: 忘记密码 → a real mail on a real SMTP server → new password.

The mail goes through the outbox and SMTP to an aiosmtpd server of the test; the link is read
out of the received message. Old sessions and API tokens stop working, and the link works once
and only for PASSWORD_RESET_MINUTES. A screenshot of the reset page: test-artifacts/web/.
"""

from __future__ import annotations

import email
import re
import socket
from datetime import timedelta
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path

import pytest

from review import clock
from review.extensions import db
from review.services.notifications import outbox
from tests.activist.conftest import PHONE
from tests.fixtures.app import PASSWORD
from tests.fixtures.tools import CHROMIUM_ARGS

pytestmark = pytest.mark.slow

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
NEW = "lanqiu-xigua-47-moon"
RESET = "重置汇报系统的密码"


class Inbox:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's name)
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


@pytest.fixture
def smtp_inbox(app):
    """A real SMTP server on a free port of 127.0.0.1, configured as the app's SMTP_URL."""
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{port}?tls=none"
    app.config.update(QUIET_HOURS_START="00:00", QUIET_HOURS_END="00:00")  # any time of day
    yield inbox
    controller.stop()


def _deliver(inbox: Inbox, subject: str) -> Message:
    """Deliver what is due (the workers' sweep); return the one new message with subject."""
    seen = len(inbox.messages)
    outbox.sweep()
    found = []
    for rcpt, raw in inbox.messages[seen:]:
        assert rcpt == ["liming@example.cn"]
        message = email.message_from_bytes(raw)
        if str(make_header(decode_header(message["Subject"]))) == subject:
            found.append(message)
    assert len(found) == 1, inbox.messages[seen:]
    return found[0]


def _reset_link(message: Message, server: str) -> str:
    assert "=?utf-8?" in message["Subject"].lower()  # RFC 2047: the Chinese subject is encoded
    body = message.get_payload(decode=True).decode(message.get_content_charset())
    assert message.get_content_charset() == "utf-8" and "李明，您好" in body
    found = re.findall(rf"{re.escape(server)}/password/reset/[\w.-]+", body)
    assert len(found) == 1, body
    return found[0]


def _ask(page, server: str, identifier: str, shot: str | None = None) -> str:
    page.goto(f"{server}/login")
    if shot:
        page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
    page.click("#forgot-link")
    page.fill("input[name=identifier]", identifier)
    page.click("button[type=submit]")
    return page.inner_text("#reset-sent")


def test_forgotten_password_reset_by_email(app, people, live_server, chromium, smtp_inbox, client):
    from playwright.sync_api import sync_playwright

    app.config["PUBLIC_URL"] = live_server
    people["activist"].email = "liming@example.cn"
    db.session.commit()
    resp = client.post("/api/v1/session", json={"username": "a1", "password": PASSWORD})
    bearer = {"Authorization": f"Bearer {resp.get_json()['token']}"}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        laptop = browser.new_context(bypass_csp=True)  # a1 is signed in on another device
        old = laptop.new_page()
        old.goto(f"{live_server}/login")
        old.fill("input[name=username]", "a1")
        old.fill("input[name=password]", PASSWORD)
        old.click("button[type=submit]")
        old.wait_for_url(f"{live_server}/my/")

        context = browser.new_context(**PHONE)
        context.set_default_timeout(20_000)
        page = context.new_page()
        answer = _ask(page, live_server, "a1", shot="login-forgot-link.png")
        page.screenshot(path=str(ARTIFACTS / "password-forgot-sent.png"), full_page=True)
        assert answer == _ask(page, live_server, "nobody")  # no account enumeration
        link = _reset_link(_deliver(smtp_inbox, RESET), live_server)

        page.goto(link)
        assert "a1" in page.inner_text("#reset-account")
        page.screenshot(path=str(ARTIFACTS / "password-reset.png"), full_page=True)
        page.fill("input[name=new]", "1234567890")
        page.fill("input[name=confirm]", "1234567890")
        page.click("button[type=submit]")
        assert "太容易被猜到" in page.inner_text(".alert-danger")
        page.fill("input[name=new]", NEW)
        page.fill("input[name=confirm]", NEW)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server}/login")
        assert "密码已重置" in page.inner_text("main")
        changed = _deliver(smtp_inbox, "您的密码已修改")
        text = changed.get_payload(decode=True).decode("utf-8")
        assert "通过邮件中的重置链接重新设置" in text and "如果这不是您本人的操作" in text

        old.goto(f"{live_server}/my/")  # the other device's session ended with the reset
        assert "/login" in old.url
        assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 401

        page.fill("input[name=username]", "a1")
        page.fill("input[name=password]", NEW)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server}/my/")
        context.clear_cookies()

        page.goto(link)  # used once already
        assert "已失效" in page.inner_text(".alert-danger")
        page.screenshot(path=str(ARTIFACTS / "password-reset-used.png"), full_page=True)
        assert page.locator("input[name=new]").count() == 0

        _ask(page, live_server, "liming@example.cn")
        second = _reset_link(_deliver(smtp_inbox, RESET), live_server)
        later = clock.now() + timedelta(minutes=app.config["PASSWORD_RESET_MINUTES"] + 1)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(clock, "now", lambda: later)  # the server's threads read the same clock
            page.goto(second)
            assert "已失效" in page.inner_text(".alert-danger")
        page.goto(second)  # back in its time the second link still works
        assert page.locator("input[name=new]").count() == 1
        browser.close()
