"""In Chromium: a reviewer sees a Party-term correction marked and undoes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from review.extensions import db
from review.models import Submission, TranscriptSegment
from tests.fixtures.app import PASSWORD
from tests.fixtures.tools import CHROMIUM_ARGS

pytestmark = pytest.mark.slow

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reviews"


def _machine_corrected(submission_id: int) -> TranscriptSegment:
    """Give the submission's second segment the fixes the pipeline would store."""
    from media.terms import correct_text

    video = db.session.get(Submission, submission_id).current.video
    segment = video.segments[1]
    fixed = correct_text("拥护党的钢灵，遵守党的章程，对党忠深")
    segment.text, segment.original_text = fixed.text, fixed.heard
    segment.term_fixes = [f.as_dict() for f in fixed.fixes]
    db.session.commit()
    return segment


def test_reviewer_undoes_a_term_correction(app, server, people, make_submission, chromium):
    from playwright.sync_api import expect, sync_playwright

    sid = make_submission()
    segment = _machine_corrected(sid)
    assert segment.text == "拥护党的纲领，遵守党的章程，对党忠诚"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 1366, "height": 900}, locale="zh-CN", bypass_csp=True
        )
        context.route("**/video", lambda route: route.abort())
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{server}/login")
        page.fill("input[name=username]", "r1")
        page.fill("input[name=password]", PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{server}/reviews/")
        page.goto(f"{server}/reviews/{sid}")
        li = page.locator(f'#segments .seg[data-id="{segment.id}"]')
        expect(li.locator("mark.term-fix")).to_have_text(["纲领", "忠诚"])
        notes = li.locator(".seg-term")
        expect(notes.first).to_contain_text("识别为 钢灵，已按术语表改为 纲领")
        expect(notes.nth(1)).to_contain_text("识别为 忠深，已按术语表改为 忠诚")
        li.screenshot(path=str(ARTIFACTS / "term-fix-segment.png"))
        page.locator(".rv-transcript").screenshot(path=str(ARTIFACTS / "term-fix.png"))

        notes.first.locator(".seg-undo").click()
        expect(li.locator(".seg-text")).to_have_text("拥护党的钢灵，遵守党的章程，对党忠诚")
        expect(li.locator("mark.term-fix")).to_have_text(["忠诚"])  # the other fix stays
        expect(li.locator(".seg-term")).to_have_count(1)
        expect(li.locator(".seg-badge")).to_be_visible()
        page.locator(".rv-transcript").screenshot(path=str(ARTIFACTS / "term-fix-undone.png"))

        page.reload()
        expect(li.locator(".seg-text")).to_have_text("拥护党的钢灵，遵守党的章程，对党忠诚")
        expect(li.locator("mark.term-fix")).to_have_text(["忠诚"])
        browser.close()
    assert errors == []
    db.session.expire_all()
    stored = db.session.get(TranscriptSegment, segment.id)
    assert stored.text == "拥护党的钢灵，遵守党的章程，对党忠诚"
    assert stored.original_text == "拥护党的钢灵，遵守党的章程，对党忠深"
    assert stored.corrected_by == people["reviewer"].id  # a re-run keeps the reviewer's choice
    assert stored.term_fixes[0]["undone"] is True and "undone" not in stored.term_fixes[1]
