"""消息 on a phone inside WeChat (375×812): the unread count in the header, open a message, mark
all read; screenshots in test-artifacts/notifications/."""

from __future__ import annotations

import pytest

from review.extensions import db
from review.services.notifications import notify
from tests.activist.conftest import CHROMIUM_ARGS, PHONE, login
from tests.notifications.conftest import ARTIFACTS

pytestmark = pytest.mark.slow

MESSAGES = [
    (
        "period_opened",
        "汇报周期已开始：2026年第四季度",
        "请在 12月31日 前提交视频思想汇报和书面汇报。",
        "/my/",
    ),
    (
        "video_failed",
        "视频处理失败：未检测到声音",
        "您上传的视频没有可识别的语音。请重新录制，截止前还来得及。",
        "/my/",
    ),
    (
        "deadline_reminder",
        "距截止还有 3 天",
        "2026年第四季度思想汇报将于 12月31日 截止，您还没有提交。",
        "/my/",
    ),
    (
        "result_released",
        "审阅结果已发布：通过",
        "您的2026年第四季度思想汇报审阅结果为“通过”。点击查看审阅意见。",
        "/my/",
    ),
]


@pytest.fixture
def phone(chromium):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(**PHONE)
        context.set_default_timeout(20_000)
        yield context.new_page()
        context.close()
        browser.close()


def test_messages_page_on_a_phone(app, people, live_server, phone):
    for n, (kind, title, body, link) in enumerate(MESSAGES):
        notify(db.session, recipient_id=people["activist"].id, kind=kind, key=f"k{n}",
               title=title, body=body, link=link)  # fmt: skip
    db.session.commit()
    page = phone
    login(page, live_server)
    badge = page.locator(".messages-link .count")
    assert badge.inner_text() == "4"
    page.click(".messages-link")
    page.wait_for_url(f"{live_server}/messages/")
    assert page.locator("article.message.unread").count() == 4
    assert page.locator("article.message h2").first.inner_text().endswith("审阅结果已发布：通过")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways ({width}px)"
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "messages-phone.png"), full_page=True)
    page.locator("article.message").nth(1).locator("text=查看详情").click()
    page.wait_for_url(f"{live_server}/my/")
    assert page.locator(".messages-link .count").inner_text() == "3"
    page.goto(f"{live_server}/messages/")
    page.click("text=全部标为已读")
    page.wait_for_selector("text=已全部标为已读。")
    assert page.locator("article.message.unread").count() == 0
    assert page.locator(".messages-link .count").count() == 0
    page.screenshot(path=str(ARTIFACTS / "messages-phone-read.png"), full_page=True)
