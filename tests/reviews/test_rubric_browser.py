"""In Chromium at 1440×900: point bands, comment library, timeline marks, Tab order, shortcuts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from review.extensions import db
from review.models import Analysis, CommentPhrase, Review, Submission
from review.services import phrases
from tests.fixtures.app import PASSWORD
from tests.fixtures.tools import CHROMIUM_ARGS

pytestmark = pytest.mark.slow

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "rubric"
OATH = {
    "status": "complete",
    "phrases": [{"text": "我志愿加入中国共产党", "status": "present", "start": 1.0, "end": 2.0}],
    "missing": [],
    "start": 1.0,
    "end": 4.0,
    "coverage": 1.0,
    "cer": 0.0,
    "in_order": True,
}


@pytest.fixture
def banded(app, people, make_submission):
    """A submission of 一支部 with an oath check (recited 1.0–4.0 s) on the default rubric."""
    sid = make_submission()
    version = db.session.get(Submission, sid).current
    db.session.add(Analysis(version_id=version.id, kind="oath", data=OATH))
    db.session.commit()
    return sid


def _open(p, chromium, server, sid, video: bool = True):
    browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
    context = browser.new_context(
        viewport={"width": 1440, "height": 900},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        bypass_csp=True,  # wait_for_function(str) evaluates; the page itself runs under CSP
    )
    if not video:  # the dev server leaves a streamed file open when a tab drops its socket
        context.route(re.compile(r".*/reviews/\d+/video$"), lambda route: route.abort())
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{server}/login")
    page.fill("input[name=username]", "r1")
    page.fill("input[name=password]", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/reviews/")
    page.goto(f"{server}/reviews/{sid}")
    page.wait_for_function("document.body.dataset.review === 'ready'")
    return browser, page, errors


def _wait_saved(page) -> None:
    """Wait until the server confirmed every edit (nothing left pending in localStorage)."""
    page.wait_for_function(
        "Object.keys((JSON.parse(localStorage.getItem('huibao.review.' +"
        " JSON.parse(document.getElementById('review-state').textContent).review_id) || '{}')"
        ".pending) || {}).length === 0"
        " && document.getElementById('save-status').textContent.includes('已自动保存')",
        timeout=15000,
    )


def _points(page) -> list[str]:
    return page.eval_on_selector_all(".points-input", "els => els.map(e => e.value)")


def test_bands_fill_their_top_score_by_click_and_by_key(app, server, banded, chromium):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser, page, errors = _open(p, chromium, server, banded, video=False)
        first = page.locator(".criterion").first
        expect(first.locator(".band")).to_have_count(3)
        expect(first.locator(".band").first).to_contain_text("17–20")
        expect(first.locator(".band").first).to_contain_text("动机端正，表述具体真诚")
        first.locator(".band").nth(1).click()  # 12–16: its top
        assert _points(page)[0] == "16"
        expect(first.locator(".band").nth(1)).to_have_attribute("aria-pressed", "true")
        page.keyboard.type("15")  # the score stays selected: typing adjusts it
        assert _points(page)[0] == "15"
        expect(first.locator(".band").nth(1)).to_have_class(re.compile(r"\bon\b"))
        page.keyboard.press("Enter")  # the second criterion
        page.keyboard.press("q")  # in the score box: the first band's top
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        page.keyboard.press("e")  # no field focused: the active (third) criterion's third band
        assert _points(page)[:3] == ["15", "20", "11"]
        expect(page.locator("#total")).to_have_text("46")
        _wait_saved(page)
        page.screenshot(path=str(ARTIFACTS / "bands.png"))
        page.locator(".criterion").nth(4).scroll_into_view_if_needed()
        expect(page.locator(".criterion").nth(4).locator(".oath-check")).to_contain_text(
            "入党誓词完整"
        )
        assert page.locator(".rv-paper .oath-check").count() == 0  # beside 入党誓词, not below
        page.screenshot(path=str(ARTIFACTS / "bands-oath.png"))
        browser.close()
    assert errors == []
    db.session.expire_all()
    review = db.session.scalar(select(Review))
    assert sorted(s.points for s in review.scores if s.points is not None) == [11, 15, 20]


def test_comment_library_saves_filters_and_inserts_by_key(app, server, banded, people, chromium):
    from playwright.sync_api import expect, sync_playwright

    other = phrases.add_phrase(people["reviewer_b"].id, "二支部的私用评语", "入党动机")
    assert other.id
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser, page, errors = _open(p, chromium, server, banded, video=False)
        first = page.locator(".criterion").first
        note = first.locator(".note-input")
        note.fill("动机表述真诚，联系了自身经历")
        first.locator(".library-keep").click()
        expect(page.locator("#phrase-status")).to_have_text("已存为常用评语。")
        note.fill("态度端正")
        first.locator(".library-keep").click()
        expect(page.locator("#phrase-status")).to_have_text("已存为常用评语。")
        # a time-coded comment about criterion 2, saved from its row
        page.select_option("#comment-criterion", label="2. 对党的认识")
        page.fill("#comment-input", "能联系实际谈认识")
        page.keyboard.press("Enter")
        page.locator("#comment-list .comment-keep").first.click()
        expect(page.locator("#phrase-status")).to_have_text("已存为常用评语。")

        note.fill("")
        note.focus()
        page.keyboard.press("Control+k")  # the library for this note's criterion
        panel = page.locator("#library")
        expect(panel).to_be_visible()
        expect(panel.locator("#library-title")).to_have_text("常用评语 · 入党动机")
        expect(panel.locator("li")).to_have_count(2)  # its own two; not 二支部's, not criterion 2's
        expect(panel).not_to_contain_text("二支部的私用评语")
        expect(panel).not_to_contain_text("能联系实际谈认识")
        page.keyboard.type("真诚")  # filter as you type
        expect(panel.locator("li")).to_have_count(1)
        page.screenshot(path=str(ARTIFACTS / "library.png"))
        page.keyboard.press("Enter")
        expect(panel).to_be_hidden()
        expect(note).to_have_value("动机表述真诚，联系了自身经历")
        expect(note).to_be_focused()

        # L from nowhere opens it for the active criterion; Esc closes it back to the note
        page.keyboard.press("Escape")
        page.locator(".criterion").nth(1).locator(".points-input").focus()
        page.keyboard.press("Escape")
        page.keyboard.press("l")
        expect(panel).to_be_visible()
        expect(panel.locator("#library-title")).to_have_text("常用评语 · 对党的认识")
        expect(panel.locator("li")).to_have_count(1)
        page.keyboard.press("Enter")
        expect(page.locator(".criterion").nth(1).locator(".note-input")).to_have_value(
            "能联系实际谈认识"
        )
        _wait_saved(page)
        browser.close()
    assert errors == []
    db.session.expire_all()
    mine = db.session.scalars(
        select(CommentPhrase).where(CommentPhrase.owner_id == people["reviewer"].id)
    ).all()
    assert sorted((p.criterion, p.text) for p in mine) == [
        ("入党动机", "动机表述真诚，联系了自身经历"),
        ("入党动机", "态度端正"),
        ("对党的认识", "能联系实际谈认识"),
    ]
    review = db.session.scalar(select(Review))
    assert {s.note for s in review.scores} >= {"动机表述真诚，联系了自身经历", "能联系实际谈认识"}
    assert [c.criterion_id is not None for c in review.comments] == [True]


def test_timeline_marks_comments_and_the_oath_and_seeks(app, server, banded, chromium):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser, page, errors = _open(p, chromium, server, banded)
        page.wait_for_function("document.getElementById('player').readyState >= 1")
        marks = page.locator("#timeline .tl-mark")
        expect(marks).to_have_count(2)  # the oath's start and end
        expect(page.locator("#timeline .oath-start")).to_have_class(re.compile(r"crit-5"))
        page.evaluate("document.getElementById('player').currentTime = 4.5")
        page.wait_for_function("document.getElementById('player').currentTime > 4.4")
        page.select_option("#comment-criterion", label="1. 入党动机")
        page.fill("#comment-input", "这里语速偏快")
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        expect(marks).to_have_count(3)
        comment = page.locator("#timeline .tl-mark.comment")
        expect(comment).to_have_class(re.compile(r"crit-1"))
        colours = page.eval_on_selector_all(
            "#timeline .tl-mark", "els => els.map(e => getComputedStyle(e).backgroundColor)"
        )
        assert len(set(colours)) == 2  # criterion 1's and criterion 5's colours
        left = page.eval_on_selector("#timeline .tl-mark.comment", "e => e.style.left")
        assert 70 < float(left.rstrip("%")) < 80  # 4.5 s of 6 s
        page.locator("#timeline .oath-start").click()
        page.wait_for_function("Math.abs(document.getElementById('player').currentTime - 1) < 0.1")
        page.locator("#video-stage").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "markers.png"))
        page.locator(".rv-video").screenshot(path=str(ARTIFACTS / "markers-pane.png"))
        comment.click()
        page.wait_for_function(
            "Math.abs(document.getElementById('player').currentTime - 4.5) < 0.1"
        )
        _wait_saved(page)
        browser.close()
    assert errors == []


def test_tab_reaches_every_control_and_single_keys_turn_off(app, server, banded, chromium):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser, page, errors = _open(p, chromium, server, banded, video=False)
        assert page.locator("[tabindex='-1']").count() == 0
        reached: set[str] = set()
        page.locator(".brand").focus()
        for _ in range(200):
            page.keyboard.press("Tab")
            here = page.evaluate(
                "(() => { const e = document.activeElement;"
                " return e.id || e.className || e.tagName; })()"
            )
            reached.add(here)
            if here == "submit-review":
                break
        for wanted in (
            "shortcuts-btn",
            "speed",
            "captions-on",
            "fullscreen",
            "comment-input",
            "comment-criterion",
            "seg-time",
            "link seg-edit",
            "band",
            "link small library-open",
            "overall",
            "submit-review",
        ):
            assert wanted in reached, (wanted, sorted(reached))

        # Shortcuts off: digits, letters and space do nothing; the choice is remembered.
        page.locator("#shortcuts-btn").click()
        expect(page.locator("#shortcuts")).to_be_visible()
        expect(page.locator("#single-keys")).to_be_focused()
        page.keyboard.press("Space")  # the focused checkbox toggles
        expect(page.locator("#single-keys")).not_to_be_checked()
        page.keyboard.press("Escape")
        expect(page.locator("#shortcuts")).to_be_hidden()
        page.reload()
        page.wait_for_function("document.body.dataset.review === 'ready'")
        page.keyboard.press("7")
        page.keyboard.press("q")
        page.keyboard.press("?")
        assert _points(page) == ["", "", "", "", ""]
        expect(page.locator("#shortcuts")).to_be_hidden()
        # keys of a focused score box stay: a band letter there still fills its band
        page.locator(".points-input").first.focus()
        page.keyboard.press("w")
        assert _points(page)[0] == "16"
        page.keyboard.press("Escape")
        page.locator("#shortcuts-btn").click()
        page.locator("#single-keys").check()
        page.keyboard.press("Escape")
        page.keyboard.press("Escape")
        page.keyboard.press("9")  # back on: the active (first) criterion
        assert _points(page)[0] == "9"
        browser.close()
    assert errors == []
