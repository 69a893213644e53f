"""In Chromium: reloading the review page before, during and after a save loses no edit."""

from __future__ import annotations

import contextlib
import re
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from review.extensions import db
from review.models import Review
from tests.fixtures.app import PASSWORD
from tests.fixtures.tools import CHROMIUM_ARGS

pytestmark = pytest.mark.slow

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reviews"


class Saves:
    """Hold the page's autosave requests (the route) until the test lets them go."""

    def __init__(self, context) -> None:
        self.holding, self.held, self.seen = False, [], 0
        context.route(re.compile(r".*/reviews/\d+/draft$"), self._route)
        # No video: the dev server leaves a streamed file open when a reload drops its socket.
        context.route(re.compile(r".*/reviews/\d+/video$"), lambda route: route.abort())

    def _route(self, route) -> None:
        self.seen += 1
        if self.holding:
            self.held.append(route)
        else:
            route.continue_()

    def wait_held(self, page, count: int = 1) -> None:
        deadline = time.monotonic() + 15
        while len(self.held) < count:
            assert time.monotonic() < deadline, "no autosave request was sent"
            page.wait_for_timeout(50)

    def release(self) -> None:
        self.holding = False
        held, self.held = self.held, []
        for route in held:  # in the order the browser sent them: the oldest lands first
            with contextlib.suppress(Exception):  # a fetch the reload cancelled never arrives
                route.continue_()


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#rubric")


def _reloaded(page) -> None:
    page.reload()
    page.wait_for_selector("#rubric")


def _wait_saved(page) -> None:
    page.wait_for_function(
        "document.getElementById('save-status').textContent.includes('已自动保存')", timeout=20000
    )


def _comment(page, text: str) -> None:
    page.locator("#comment-input").fill(text)
    page.locator("#comment-input").press("Enter")


def _stored_review() -> Review:
    db.session.expire_all()
    return db.session.scalar(select(Review))


def test_reload_before_during_and_after_a_save_keeps_every_edit(
    app, server, people, make_submission, chromium
):
    from playwright.sync_api import expect, sync_playwright

    sid = make_submission()
    url = f"{server}/reviews/{sid}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 1440, "height": 900},
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            bypass_csp=True,  # wait_for_function(str) evaluates; the page itself runs under CSP
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{server}/login")
        page.fill("input[name=username]", "r1")
        page.fill("input[name=password]", PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{server}/reviews/")
        saves = Saves(context)
        _open(page, url)
        points, notes = page.locator(".points-input"), page.locator(".note-input")
        conflict = page.locator("#conflict")

        # 1. Before the request: F5 right after typing; the save is sent on the way out
        #    and lands only after the reloaded page has shown the older state.
        saves.holding = True
        points.nth(0).fill("18")
        _reloaded(page)
        expect(points.nth(0)).to_have_value("18")
        saves.release()
        _wait_saved(page)

        # 2. During the request: the save is on the wire when the page reloads.
        saves.holding = True
        points.nth(1).fill("16")
        notes.nth(1).fill("理解较深刻")
        saves.wait_held(page)
        _reloaded(page)
        saves.release()
        _wait_saved(page)
        expect(points.nth(1)).to_have_value("16")
        expect(notes.nth(1)).to_have_value("理解较深刻")
        expect(conflict).to_be_hidden()

        # 3. After the request: saved, then reloaded; and a first comment.
        points.nth(2).fill("15")
        _comment(page, "开头声音清楚")
        page.locator("#overall").focus()  # leaving the comment box saves at once
        _wait_saved(page)
        _reloaded(page)
        expect(points.nth(2)).to_have_value("15")
        expect(page.locator("#comment-list li")).to_have_count(1)

        # 4. A second comment whose save is held through a reload, then let go twice over.
        saves.holding = True
        _comment(page, "誓词背诵完整")
        page.locator("#overall").focus()
        saves.wait_held(page)
        _reloaded(page)
        expect(page.locator("#comment-list li")).to_have_count(2)
        saves.release()
        _wait_saved(page)
        _reloaded(page)
        expect(page.locator("#comment-list li")).to_have_count(2)
        expect(conflict).to_be_hidden()

        # New comments are visible to the activist by default, and the reviewer is told so.
        preview = page.locator("#activist-preview")
        expect(preview).to_contain_text("积极分子将看到：")
        expect(preview).to_contain_text("您勾选为可见的 2 条时间点评语")
        expect(preview).to_contain_text("不会显示给积极分子")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        preview.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "review-activist-preview.png"))

        # Finish and submit.
        points.nth(3).fill("17")
        points.nth(4).fill("19")
        page.locator("#overall").fill("整体认真，继续保持。")
        page.keyboard.press("Control+Enter")
        page.wait_for_url(re.compile(r".*/reviews/(\?.*)?$"), timeout=20000)
        browser.close()
    assert errors == []

    review = _stored_review()
    assert review.state == "submitted"
    by_position = sorted(review.scores, key=lambda s: s.criterion_id)
    assert [s.points for s in by_position] == [18, 16, 15, 17, 19]
    assert [s.note for s in by_position][1] == "理解较深刻"
    assert review.overall_comment == "整体认真，继续保持。"
    assert sorted(c.text for c in review.comments) == ["开头声音清楚", "誓词背诵完整"]
    assert all(c.visible_to_activist for c in review.comments)
