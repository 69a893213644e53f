"""Browser (desktop Chromium, 1440×900): the release list's filters and bulk agreement, the
confirmation with the count, and withdrawing a release until the activist opens it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from review.extensions import db
from review.models import AuditEvent, Decision, Review
from review.services import accounts, decisions
from tests.committee.conftest import make_review, make_submission
from tests.fixtures.app import PASSWORD
from tests.fixtures.tools import CHROMIUM_ARGS

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "release"
DESKTOP = {"viewport": {"width": 1440, "height": 900}, "locale": "zh-CN", "bypass_csp": True}


@pytest.fixture
def browser(chromium):
    """A headless Debian Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def _login(browser, base: str, username: str):
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return context, page


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def _events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_filter_agree_confirm_release_and_withdraw(marked, app, server, browser):
    period = marked["period"]
    a3 = accounts.create_user("a3", "孙强", "activist", PASSWORD, ["一支部"])
    sub3 = make_submission(a3, period)
    make_review(sub3, marked["reviewer"], [15, 14, 13, 16, 17])
    make_review(sub3, marked["r3"], [14, 14, 12, 15, 16])
    context, page = _login(browser, server, "c1")

    # the list: filter to the agreeing ones, sorted by total
    page.goto(f"{server}/committee/periods/{period.id}/submissions")
    page.select_option("select[name=disagreement]", "yes")
    page.click("#release-filters button[type=submit]")
    page.wait_for_url("**disagreement=yes**")
    assert page.locator("#release-list tbody tr").count() == 1
    assert page.locator("tr.disagrees >> text=35").count() == 1
    page.select_option("select[name=disagreement]", "")
    page.select_option("select[name=sort]", "-total")
    page.click("#release-filters button[type=submit]")
    page.wait_for_url("**sort=-total**")
    names = page.locator("#release-list tbody tr td:nth-child(3)").all_inner_texts()
    assert names == ["赵红", "孙强", "李明"]  # the reviewers' mean totals: 75, 73, 67.5
    assert page.inner_text(f"tr[data-submission='{sub3.id}'] .suggestion") == "通过"
    page.click("#period-settings summary")
    _shot(page, "release-list-filters")

    # bulk agreement: one click for the selection; the disagreeing one is refused and named
    page.check("input[data-check-all]")
    page.check("input[name=adopt]")
    page.click("#bulk-agree")
    page.wait_for_selector(".alert-success >> text=已为 1 份汇报认定分数")
    assert page.locator(".alert-warning >> text=李明：两位审阅人总分相差 35 分").count() == 1
    assert page.locator(".alert-warning >> text=赵红：评分尚未齐全").count() == 1
    _shot(page, "release-bulk-agree")
    db.session.expire_all()
    agreed = decisions.get_decision(sub3.current.id)
    assert agreed.outcome == "pass" and sum(m.points for m in agreed.marks) == 73

    # release the selection: the count is asked for, the same set is released
    page.check(f"input[name=ids][value='{sub3.id}']")
    page.click("button[value=selection]")
    page.wait_for_selector("#release-count")
    assert page.inner_text("#release-count") == "将向 1 名积极分子发布结果"
    assert "孙强" in page.inner_text("#release-confirm")
    _shot(page, "release-confirm")
    page.click("#confirm-release")
    page.wait_for_selector("text=已向 1 名积极分子发布结果")
    assert _events("release")[0].detail["released"] == [sub3.id]

    # the decide page offers to withdraw; a native confirm() asks first
    page.goto(f"{server}/committee/submissions/{sub3.id}")
    page.wait_for_selector("#withdraw button")
    _shot(page, "release-withdraw")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#withdraw button")
    page.wait_for_selector(".alert-success >> text=已撤回发布")
    assert _events("withdraw_release")[0].object_id == str(sub3.id)
    db.session.expire_all()
    assert decisions.released_result(sub3.id) is None

    # released again and opened by the activist: the button is gone, the reason shown
    page.goto(f"{server}/committee/periods/{period.id}/submissions")
    page.check(f"input[name=ids][value='{sub3.id}']")
    page.click("button[value=selection]")
    page.click("#confirm-release")
    page.wait_for_selector("text=已向 1 名积极分子发布结果")
    phone, mine = _login(browser, server, "a3")
    mine.goto(f"{server}/my/periods/{period.id}/")
    mine.wait_for_selector("#feedback >> text=通过")
    mine.locator("#feedback").scroll_into_view_if_needed()
    _shot(mine, "activist-feedback")
    phone.close()
    page.goto(f"{server}/committee/submissions/{sub3.id}")
    assert page.locator("#withdraw button").count() == 0
    assert "查看结果，不能再撤回" in page.inner_text("#withdraw")
    _shot(page, "release-withdraw-opened")
    db.session.expire_all()
    opened = db.session.scalar(select(Decision).where(Decision.version_id == sub3.current.id))
    assert opened.opened_at is not None
    context.close()

    # the reviewer's preview says what this period lets through, from the same rule
    a4 = accounts.create_user("a4", "周敏", "activist", PASSWORD, ["一支部"])
    sub4 = make_submission(a4, period)
    db.session.add(
        Review(
            reviewer_id=marked["reviewer"].id,
            version_id=sub4.current.id,
            rubric_version_id=period.rubric_version_id,
            state="draft",
        )
    )
    db.session.commit()
    desk, review = _login(browser, server, "r1")
    review.goto(f"{server}/reviews/{sub4.id}")
    review.wait_for_selector("#activist-preview")
    text = review.inner_text("#activist-preview")
    assert "审阅人的各项评语" in text and "审阅人的总体评语" in text
    review.locator("#activist-preview").scroll_into_view_if_needed()
    _shot(review, "reviewer-preview")
    desk.close()
