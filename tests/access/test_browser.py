"""In Chromium: the pages run under the Content-Security-Policy without a violation."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.app import PASSWORD
from tests.fixtures.tools import CHROMIUM_ARGS

pytestmark = pytest.mark.slow

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "access"
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def _visit(context, server: str, username: str, urls: list[str], shots: dict) -> list[str]:
    page = context.new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"error: {exc}"))
    page.on(
        "console",
        lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.goto(f"{server}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/login" not in page.url, page.url
    for url in urls:
        page.goto(f"{server}{url}")
        page.wait_for_load_state("networkidle")
        problems += [f"{url}: {v}" for v in page.evaluate("window.__csp")]
        if url in shots:
            page.screenshot(path=str(ARTIFACTS / shots[url]), full_page=True)
    page.close()
    return problems


def test_pages_run_under_the_policy(app, server, report, chromium):
    from playwright.sync_api import sync_playwright

    submitted = report("submitted")
    sid = submitted.id
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 1366, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai"
        )
        problems = _visit(context, server, "r1", ["/reviews/", f"/reviews/{sid}"], {})
        page = context.new_page()
        page.goto(f"{server}/reviews/{sid}")
        page.focus(".points-input")
        page.keyboard.type("5")
        page.keyboard.press("Enter")  # moves to the next criterion; never posts the form
        page.wait_for_timeout(300)
        assert page.url == f"{server}/reviews/{sid}"
        page.close()
        context.clear_cookies()
        problems += _visit(
            context,
            server,
            "c1",
            ["/committee/", f"/committee/submissions/{sid}", f"/committee/audit?submission={sid}"],
            {f"/committee/audit?submission={sid}": "audit-trail.png"},
        )
        context.clear_cookies()
        problems += _visit(
            context, server, "a1", ["/my/", f"/my/periods/{submitted.period_id}/"], {}
        )
        browser.close()
    assert not problems, problems
