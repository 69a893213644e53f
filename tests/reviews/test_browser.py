"""End to end in Chromium: a reviewer grades a processed submission with the keyboard only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from review.extensions import db
from review.models import Review, Submission
from tests.fixtures.app import PASSWORD
from tests.fixtures.pipeline import reload_video, run_jobs, submission_of
from tests.fixtures.tools import CHROMIUM_ARGS
from tests.reviews.conftest import submit_version

pytestmark = pytest.mark.slow

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reviews"


@pytest.fixture
def two_processed(app, more_people, ingest, oath_clip):
    """Two submissions of 一支部 through the real pipeline: a1's (older) and a3's."""
    ids = []
    for who, days in (("activist", 3), ("activist_c", 1)):
        ids.append((ingest(oath_clip, who), days))
    run_jobs(app)
    out = []
    for video_id, days in ids:
        assert reload_video(video_id).reviewable
        submission = submission_of(video_id)
        submit_version(submission.current, days_ago=days)
        out.append(submission.id)
    return out


def _points(page) -> list[str]:
    return page.eval_on_selector_all(".points-input", "els => els.map(e => e.value)")


def _wait_saved(page) -> None:
    page.wait_for_function(
        "document.getElementById('save-status').textContent.includes('已自动保存')", timeout=15000
    )


def _wait_saved_or_choosing(page) -> None:
    page.wait_for_function(
        "!Object.keys(JSON.parse(localStorage.getItem('huibao.review.' +"
        " JSON.parse(document.getElementById('review-state').textContent).review_id) || '{}')"
        ".pending || {}).some(f => f.startsWith('note:'))",
        timeout=15000,
    )


def test_keyboard_only_grading(app, server, two_processed, chromium):
    from playwright.sync_api import expect, sync_playwright

    first, second = two_processed
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_context(
            viewport={"width": 1366, "height": 900},
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            bypass_csp=True,  # wait_for_function(str) evaluates; the page itself runs under CSP
        ).new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{server}/login")
        page.fill("input[name=username]", "r1")
        page.fill("input[name=password]", PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{server}/reviews/")
        page.screenshot(path=str(ARTIFACTS / "queue.png"), full_page=True)

        page.keyboard.press("n")  # next ungraded: the oldest
        page.wait_for_url(f"{server}/reviews/{first}")
        page.wait_for_function("document.getElementById('player').readyState >= 1")
        page.keyboard.press("?")
        expect(page.locator("#shortcuts")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "shortcuts.png"))
        page.keyboard.press("Escape")
        expect(page.locator("#shortcuts")).to_be_hidden()

        page.keyboard.press(" ")  # play
        page.wait_for_function("document.getElementById('player').currentTime > 1.5", timeout=15000)
        page.keyboard.press("c")
        page.keyboard.type("开头声音清楚")
        assert page.evaluate("document.getElementById('player').paused")  # typing paused it
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        at_first = page.evaluate("document.getElementById('player').currentTime")
        page.wait_for_function(
            f"document.getElementById('player').currentTime > {at_first + 2}", timeout=15000
        )  # playback resumed after pinning
        page.keyboard.press("c")
        page.keyboard.type("誓词背诵完整")
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        page.keyboard.press(" ")  # pause
        expect(page.locator("#comment-list li")).to_have_count(2)
        expect(page.locator("#segments .seg.playing")).to_have_count(1)
        before = page.evaluate("document.getElementById('player').currentTime")
        page.keyboard.press("j")  # previous segment
        page.wait_for_function(f"document.getElementById('player').currentTime < {before}")

        page.keyboard.type("18")  # digits: the first criterion
        page.keyboard.press("Enter")  # next criterion
        page.keyboard.type("16")
        page.keyboard.press("Tab")  # its note
        page.keyboard.type("理解较深刻")
        page.keyboard.press("Tab")  # the third criterion
        page.keyboard.type("15")
        page.keyboard.press("Escape")
        _wait_saved(page)
        page.reload()  # mid-way: the draft must be intact
        page.wait_for_function("document.getElementById('player').readyState >= 1")
        assert _points(page) == ["18", "16", "15", "", ""]
        expect(page.locator("textarea[name^=note-]").nth(1)).to_have_value("理解较深刻")
        expect(page.locator("#comment-list li")).to_have_count(2)
        expect(page.locator("#comment-list li").first).to_contain_text("开头声音清楚")

        page.keyboard.type("17")  # digits go to the first unscored criterion
        page.keyboard.press("Enter")
        page.keyboard.type("19")
        page.keyboard.press("Enter")  # the overall comment
        page.keyboard.type("整体认真，继续保持。")
        page.keyboard.press("Escape")
        page.keyboard.press("k")
        page.wait_for_timeout(400)
        page.screenshot(path=str(ARTIFACTS / "review-page.png"))
        page.keyboard.press("Control+Enter")
        page.wait_for_url(f"{server}/reviews/{second}")
        expect(page.locator(".alert-success")).to_contain_text("评分已提交")
        page.wait_for_function("document.getElementById('player').readyState >= 1")
        page.screenshot(path=str(ARTIFACTS / "next-ungraded.png"))
        browser.close()
    assert errors == []

    db.session.expire_all()
    review = db.session.scalar(select(Review).where(Review.state == "submitted"))
    assert review.version_id == db.session.get(Submission, first).current.id
    assert sorted(s.points for s in review.scores) == [15, 16, 17, 18, 19]
    assert review.overall_comment == "整体认真，继续保持。"
    ats = [c.at_seconds for c in review.comments]
    assert [c.text for c in review.comments] == ["开头声音清楚", "誓词背诵完整"] and ats[1] > ats[
        0
    ] + 1
    assert db.session.get(Submission, first).state == "reviewed"
    assert db.session.get(Submission, second).state == "in_review"  # opened: claimed for r1


def test_two_tabs_paper_pane_and_watermark(app, server, people, make_submission, chromium):
    from playwright.sync_api import expect, sync_playwright

    sid = make_submission()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 1366, "height": 900},
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            bypass_csp=True,  # wait_for_function(str) evaluates; the page itself runs under CSP
        )
        # No video bytes: the dev server leaves a streamed file open when a tab drops its socket.
        context.route(re.compile(r".*/reviews/\d+/video$"), lambda route: route.abort())
        first = context.new_page()
        first.goto(f"{server}/login")
        first.fill("input[name=username]", "r1")
        first.fill("input[name=password]", PASSWORD)
        first.keyboard.press("Enter")
        first.wait_for_url(f"{server}/reviews/")
        first.goto(f"{server}/reviews/{sid}")
        second = context.new_page()
        second.goto(f"{server}/reviews/{sid}")
        first.wait_for_function("document.querySelector('.paper-page').naturalWidth > 0")
        expect(first.locator(".paper-page").first).to_be_visible()
        expect(first.locator("#paper-stage .watermark span").first).to_contain_text("王老师 r1")
        first.screenshot(path=str(ARTIFACTS / "review-paper.png"))

        # The watermark cannot be switched off from the page: removing it brings it back.
        first.evaluate("document.querySelector('#video-stage .watermark').remove()")
        expect(first.locator("#video-stage .watermark span").first).to_contain_text("王老师 r1")

        # A transcript correction from the keyboard-less path: click 校对, type, Enter.
        first.locator(".seg-edit").nth(1).click()
        first.keyboard.press("Control+a")
        first.keyboard.type("拥护党的纲领，遵守党的章程。")
        first.keyboard.press("Enter")
        expect(first.locator(".seg").nth(1)).to_have_class("seg corrected")

        first.keyboard.type("12")
        first.keyboard.press("Escape")
        _wait_saved(first)
        second.keyboard.type("9")  # the same field: the second tab still holds its old revision
        second.keyboard.press("Escape")
        second.locator(".note-input").nth(2).fill("另一项的评语")  # another field: saved
        second.keyboard.press("Escape")
        chooser = second.locator("#conflict")
        expect(chooser).to_contain_text("“入党动机”的得分")
        expect(chooser.locator("[data-choice=mine]")).to_have_text("保留本页的：9")
        expect(chooser.locator("[data-choice=theirs]")).to_have_text("改用另一处的：12")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        second.locator(".rv-head").scroll_into_view_if_needed()
        second.screenshot(path=str(ARTIFACTS / "review-conflict-chooser.png"))
        second.locator(".note-input").nth(3).fill("冲突时照常保存")  # saving never stops
        second.keyboard.press("Escape")
        _wait_saved_or_choosing(second)
        chooser.locator("[data-choice=mine]").click()
        expect(chooser).to_be_hidden()
        _wait_saved(second)
        browser.close()
    db.session.expire_all()
    review = db.session.scalar(select(Review))
    assert [s.points for s in review.scores if s.points is not None] == [9]
    notes = sorted(s.note for s in review.scores if s.note)
    assert notes == sorted(["冲突时照常保存", "另一项的评语"])


def test_paper_pane_turns_server_rendered_pages_from_the_keyboard(
    app, server, people, make_submission, chromium
):
    from playwright.sync_api import expect, sync_playwright

    sid = make_submission()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 1366, "height": 900},
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            bypass_csp=True,  # wait_for_function(str) evaluates; the page itself runs under CSP
        )
        page = context.new_page()
        fetched: list[str] = []
        page.on("request", lambda r: fetched.append(r.url) if "/paper/" in r.url else None)
        page.goto(f"{server}/login")
        page.fill("input[name=username]", "r1")
        page.fill("input[name=password]", PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{server}/reviews/")
        page.goto(f"{server}/reviews/{sid}")
        pager = page.locator("#paper-pages")
        expect(pager.locator(".paper-count")).to_have_text("第 1 / 2 页")
        page.wait_for_function("document.querySelector('.paper-page').naturalWidth > 0")
        assert len(fetched) == 1 and fetched[0].endswith("/pages/1")  # page 2 not fetched yet
        assert page.locator("iframe, a[download], .paper-original").count() == 0
        pager.locator(".paper-sheet").focus()
        page.keyboard.press("ArrowRight")
        expect(pager.locator(".paper-count")).to_have_text("第 2 / 2 页")
        expect(pager.locator(".paper-page").nth(1)).to_be_visible()
        expect(pager.locator(".paper-page").first).to_be_hidden()
        page.keyboard.press("PageUp")
        expect(pager.locator(".paper-count")).to_have_text("第 1 / 2 页")
        expect(pager.locator('[data-step="-1"]')).to_be_disabled()
        page.locator(".rv-paper").screenshot(path=str(ARTIFACTS / "paper-pages.png"))
        browser.close()
