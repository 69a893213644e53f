"""Small things a phone user sees on every page: the site icon, the report's font, buttons."""

from __future__ import annotations

import pytest

from tests.activist.conftest import login

pytestmark = pytest.mark.slow


def test_icon_font_and_buttons_on_the_phone(app, people, live_server, phone):
    page = phone
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    login(page, live_server)
    icon = page.evaluate("document.querySelector('link[rel=icon]').href")
    assert page.request.get(icon).status == 200
    assert (
        page.request.get(f"{live_server}/favicon.ico").headers["content-type"].startswith("image/")
    )
    link = page.locator("a.btn.block").first  # 开始 / 继续 on the home page
    assert link.evaluate("e => getComputedStyle(e).textAlign") == "center"
    page.goto(f"{live_server}/my/periods/{people['period'].id}/paper")
    body_font = page.evaluate("getComputedStyle(document.body).fontFamily")
    text_font = page.evaluate("getComputedStyle(document.getElementById('paper-text')).fontFamily")
    assert text_font == body_font and "monospace" not in text_font
    assert not missing, missing  # no 404 on the way (favicon included)
