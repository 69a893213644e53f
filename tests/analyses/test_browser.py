"""The search page and the analysis hints in a real browser (shots in test-artifacts/analyses)."""

from __future__ import annotations

from pathlib import Path

import pytest

from media.speech import measure_audio, speech_figures
from review.analysis.oath import PHRASES
from review.extensions import db
from review.services.analyses import run_analyses, store
from tests.analyses.conftest import DATA
from tests.analyses.texts import REPORT, REPORT_COPY, REPORT_HEARD
from tests.fixtures.app import PASSWORD
from tests.fixtures.tools import CHROMIUM_ARGS

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "analyses"
OATH_SAID = [
    (27.0 + i * 1.5, 28.5 + i * 1.5, p)
    for i, p in enumerate(PHRASES)
    if p not in ("保守党的秘密", "永不叛党")
]


@pytest.mark.slow
def test_search_and_hints_in_the_browser(make_version, live_server, chromium):
    from playwright.sync_api import sync_playwright

    mine = make_version("activist", REPORT, REPORT_HEARD + OATH_SAID)
    copy = make_version("activist_b", REPORT_COPY, [(0.0, 20.0, REPORT_COPY)])
    run_analyses(mine.id)
    run_analyses(copy.id)
    figures = speech_figures(measure_audio(DATA / "oath.flac", 19.9), [], 91)
    figures.flags = ["long_silence"]  # to see how a flag looks
    store(mine.id, "speech", figures.as_dict())
    db.session.commit()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        page.set_default_timeout(20_000)
        page.goto(f"{live_server}/login")
        page.fill("input[name=username]", "c1")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.click("text=搜索")
        page.fill("input[name=q]", "社区志愿服务")
        page.click("button:has-text('搜索')")
        page.wait_for_selector(".search-hit")
        page.screenshot(path=str(ARTIFACTS / "search-committee.png"), full_page=True)
        hits = page.locator(".search-hit")
        assert hits.count() >= 3  # two transcripts and the papers
        assert page.locator("mark").first.inner_text() == "社区志愿服务"
        assert "t=0" in (hits.first.get_attribute("href") or "")
        page.click(f"a[href='/search/analyses/{mine.submission_id}']")
        page.wait_for_selector(".oath-phrases")
        page.screenshot(path=str(ARTIFACTS / "analyses-committee.png"), full_page=True)
        assert page.locator(".oath-phrases .missing").count() == 2
        assert page.locator(".side-by-side").count() >= 2
        assert "照读" in page.inner_text(".analysis")
        assert "长时间静音" in page.inner_text(".analysis")
        page.click("button:has-text('退出')")
        page.fill("input[name=username]", "r2")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{live_server}/search/analyses/{copy.submission_id}")
        page.wait_for_selector(".analysis")
        page.screenshot(path=str(ARTIFACTS / "analyses-reviewer-other-branch.png"), full_page=True)
        assert "您无权查看内容" in page.inner_text(".analysis")
        assert "李明" not in page.inner_text(".analysis")
        assert page.goto(f"{live_server}/search/analyses/{mine.submission_id}").status == 404
        browser.close()
