"""The evidence on the committee's decide page: the review page's panes, read-only, and the
two reviewers' scores side by side with their differences."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from review.extensions import db
from review.models import Analysis, AuditEvent, Submission
from review.services import accounts
from tests.committee.conftest import make_review
from tests.fixtures.app import PASSWORD
from tests.fixtures.tools import CHROMIUM_ARGS
from tests.reviews.conftest import login, make_submission  # noqa: F401  (a fixture)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "evidence"
OATH = ["我志愿加入中国共产党", "拥护党的纲领", "遵守党的章程"]


@pytest.fixture
def double_marked(app, people, make_submission):  # noqa: F811
    """a1's processed report with paper pages, two reviews (far apart) and analysis hints."""
    people["period"].double_marking = True
    db.session.commit()
    r3 = accounts.create_user("r3", "刘老师", "reviewer", PASSWORD, ["一支部"])
    submission = db.session.get(Submission, make_submission("activist"))
    submission.state = "reviewed"
    version = submission.current
    db.session.add_all(
        [
            Analysis(
                version_id=version.id,
                kind="oath",
                data={
                    "status": "complete",
                    "start": 0.0,
                    "end": 5.9,
                    "phrases": [{"text": t, "status": "ok", "heard": t} for t in OATH],
                    "missing": [],
                    "in_order": True,
                },
            ),
            Analysis(
                version_id=version.id,
                kind="consistency",
                data={
                    "verdict": "summary",
                    "video_in_paper": 0.42,
                    "paper_in_video": 0.3,
                    "passages": [
                        {"paper": "认真学习了党章", "video": "遵守党的章程", "start": 2.0}
                    ],
                },
            ),
            Analysis(version_id=version.id, kind="similar", data=[]),
        ]
    )
    db.session.commit()
    make_review(submission, people["reviewer"], [18, 17, 16, 15, 19], overall="态度端正。")
    make_review(submission, r3, [10, 16, 8, 15, 11], overall="内容偏空泛。", minutes_ago=30)
    return submission.id


def test_decide_page_shows_evidence_read_only(client, people, double_marked):
    """The panes are there; nothing posts to the reviews routes or edits the transcript."""
    sid = double_marked
    login(client, "c1")
    resp = client.get(f"/committee/submissions/{sid}")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert f'src="/reviews/{sid}/video"' in html  # the audited media route
    assert f"/reviews/{sid}/captions" in html
    assert html.count('class="seg') >= 3 and "我志愿加入中国共产党" in html
    assert "paper-page" in html and "入党誓词完整" in html and "概述" in html
    actions = re.findall(r'<form[^>]*action="([^"]*)"', html)
    assert not [a for a in actions if "/reviews" in a], actions
    forms = re.findall(r"<form[^>]*>", html)
    assert all("rubric" not in f for f in forms)
    for control in ("seg-edit", "seg-undo", 'id="rubric"', "comment-input", "submit-review"):
        assert control not in html
    state = re.search(r'id="review-state">(.*?)</script>', html).group(1)
    assert '"urls": {}' in state and '"can_correct": false' in state
    # the side-by-side table: both reviewers and their differences (threshold: 20 % of 100)
    assert "王老师" in html and "刘老师" in html
    over = re.findall(r'<td class="diff over" data-difference="(\d+)"', html)
    assert len(over) == 3  # 8 points apart on criteria 1, 3 and 5 (> 4 of 20); 1 and 0 not
    assert re.search(r'id="total-difference">\s*25', html)  # 85 − 60 = 25 > 20 marked
    assert "超过阈值" in html
    files = db.session.scalars(
        select(AuditEvent.file).where(
            AuditEvent.object_id == str(sid), AuditEvent.actor_id == people["committee"].id
        )
    ).all()
    assert f"page:{db.session.get(Submission, sid).current.id}" in files  # the page read


def test_decide_page_evidence_in_chromium(app, server, double_marked, chromium):
    """The committee plays the video, seeks by the transcript, reads the paper and the hints."""
    from playwright.sync_api import expect, sync_playwright

    sid = double_marked
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_context(
            viewport={"width": 1440, "height": 900},
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            bypass_csp=True,
        ).new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{server}/login")
        page.fill("input[name=username]", "c1")
        page.fill("input[name=password]", PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/committee/.*"))
        page.goto(f"{server}/committee/submissions/{sid}")
        page.wait_for_selector("body[data-evidence=ready]")
        page.wait_for_function("document.getElementById('player').readyState >= 1")
        page.evaluate("document.getElementById('player').muted = true")
        page.evaluate("document.getElementById('player').play()")
        page.wait_for_function("document.getElementById('player').currentTime > 1", timeout=15000)
        page.evaluate("document.getElementById('player').pause()")
        page.click("#segments .seg >> nth=2 >> .seg-text")
        page.wait_for_function(
            "Math.abs(document.getElementById('player').currentTime - 4.01) < 0.3", timeout=10000
        )
        expect(page.locator("#segments .seg.playing")).to_have_count(1)
        expect(page.locator("#segments .seg >> nth=2")).to_have_class(re.compile("playing"))
        page.wait_for_function(
            "(() => { const i = document.querySelector('.paper-page');"
            " return i && i.complete && i.naturalWidth > 0; })()"
        )
        expect(page.locator(".paper-count")).to_contain_text("第 1 /")
        expect(page.locator(".analysis")).to_contain_text("入党誓词完整")
        expect(page.locator(".analysis")).to_contain_text("概述")
        expect(page.locator(".committee-side thead")).to_contain_text("王老师")
        expect(page.locator(".committee-side thead")).to_contain_text("刘老师")
        expect(page.locator("#total-difference")).to_contain_text("25")
        expect(page.locator("td.diff.over[data-difference]")).to_have_count(3)
        assert page.locator(".seg-edit, #rubric, #comment-input").count() == 0
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(ARTIFACTS / "decide.png"))
        page.screenshot(path=str(ARTIFACTS / "decide-full.png"), full_page=True)
        assert not errors, errors
        browser.close()
