"""Browser end to end (desktop Chromium): the committee's and the admin's main journeys."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select

from review.extensions import db
from review.models import Period, User, Video
from tests.committee.conftest import make_submission
from tests.fixtures.app import PASSWORD
from tests.fixtures.pipeline import run_jobs
from tests.fixtures.tools import CHROMIUM_ARGS

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "committee"
DESKTOP = {"viewport": {"width": 1366, "height": 900}, "locale": "zh-CN"}


@pytest.fixture
def browser(chromium):
    """A headless Debian Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def _login(browser, base: str, username: str):
    context = browser.new_context(accept_downloads=True, **DESKTOP)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return context, page


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_committee_resolves_releases_and_downloads(marked, app, server, browser):
    context, page = _login(browser, server, "c1")
    assert page.url.endswith("/committee/")
    page.wait_for_selector("#disagreements >> text=李明")
    _shot(page, "dashboard")

    page.click("#disagreements >> text=认定分数")
    page.wait_for_selector("#decision-form")
    page.click("button[data-take=mean]")
    assert page.input_value("input[name^=mark-] >> nth=0") == "14"
    assert page.inner_text("#agreed-total") == "67.5"
    page.check("input[name=outcome][value=pass]")
    page.fill("textarea[name=comment]", "汇报真诚，誓词完整，望继续保持。")
    page.click("#decision-form button[type=submit]")
    page.wait_for_selector(".alert-success")
    assert page.url.endswith(f"/committee/?period={marked['period'].id}")
    page.goto(f"{server}/committee/submissions/{marked['sub1'].id}")
    page.wait_for_selector("text=修改记录")
    _shot(page, "decide")

    page.goto(
        f"{server}/committee/periods/{marked['period'].id}/submissions"
        f"?branch={marked['sub1'].branch_id}"
    )
    page.click("button[value=branch]")
    page.wait_for_selector("#release-count >> text=将向 1 名积极分子发布结果")
    page.click("#confirm-release")
    page.wait_for_selector("text=已向 1 名积极分子发布结果")
    _shot(page, "release")
    from review.services.decisions import released_result

    db.session.expire_all()
    shown = released_result(marked["sub1"].id)
    assert shown is not None and shown.comment == "汇报真诚，誓词完整，望继续保持。"
    assert released_result(marked["sub2"].id) is None

    page.goto(f"{server}/committee/")
    page.click("form >> button:has-text('导出 Excel')")
    page.wait_for_selector("#export")
    assert page.inner_text("#export-heading") == "正在生成导出文件"
    with page.expect_download(timeout=20000) as info:  # no second click: it downloads itself
        run_jobs(app)
    download = info.value
    assert page.inner_text("#export-heading") == "导出文件已生成"
    assert "正在生成" not in page.inner_text("#export")
    assert page.is_visible("#export-download")  # kept for a second copy
    bar = Image.open(io.BytesIO(page.locator("#export-progress").screenshot())).convert("RGB")
    red, green, blue = bar.getpixel((bar.width // 2, bar.height // 2))
    assert red > 180 and green < 60 and blue < 60, (red, green, blue)  # the theme's red
    _shot(page, "export")
    assert download.suggested_filename == "2026年第四季度_全部支部.xlsx"
    target = ARTIFACTS / "export.xlsx"
    download.save_as(str(target))
    wb = load_workbook(io.BytesIO(target.read_bytes()))
    row = next(wb["一支部"].iter_rows(min_row=2, values_only=True))
    assert row[:4] == ("a1", "李明", "一支部", "已发布")

    # An export finished before its page loads (a quick CSV) still downloads by itself.
    from review.services.exports.jobs import start_export

    job_id = start_export(marked["committee"].id, "csv", marked["period"].id)
    run_jobs(app)
    with page.expect_download(timeout=20000) as info:
        page.goto(f"{server}/committee/exports/{job_id}", wait_until="commit")
    assert info.value.suggested_filename == "2026年第四季度_全部支部.csv"
    assert page.inner_text("#export-heading") == "导出文件已生成"
    context.close()


def test_admin_roster_period_and_retry(people, app, server, browser, tmp_path):
    broken = make_submission(people["activist_b"], people["period"], video_state="failed")
    context, page = _login(browser, server, "admin")
    _shot(page, "admin-index")

    bad = tmp_path / "名单.csv"
    bad.write_text(
        "学号,姓名,支部,角色\n2026101,钱多多,一支部,入党积极分子\n"
        "2026102,孙小小,三支部,入党积极分子\n",
        encoding="utf-8-sig",
    )
    page.goto(f"{server}/admin/roster")
    page.set_input_files("input[name=file]", str(bad))
    page.click("form >> text=检查并导入")
    page.wait_for_selector("#roster-errors")
    assert "第 3 行" in page.inner_text("#roster-errors")
    _shot(page, "admin-roster-errors")
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.username == "2026101")) is None

    bad.write_text(
        bad.read_text(encoding="utf-8-sig").replace("三支部", "二支部"), encoding="utf-8-sig"
    )
    page.set_input_files("input[name=file]", str(bad))
    page.click("form >> text=检查并导入")
    page.wait_for_selector("#roster-result")
    assert "新建 2 个账号" in page.inner_text("#roster-result")
    _shot(page, "admin-roster-done")
    with page.expect_download() as info:
        page.click("#roster-passwords")
    assert info.value.suggested_filename == "初始密码.csv"
    lines = Path(info.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "学号,姓名,初始密码" and lines[1].startswith("2026101,钱多多,")
    with page.expect_download() as info:
        page.click("#roster-template")
    assert info.value.suggested_filename == "名单模板.xlsx"

    page.goto(f"{server}/admin/periods")
    page.click("summary:has-text('开启新周期')")
    page.fill("#open-period input[name=name]", "2027年第一季度")
    page.fill("#open-period input[name=closes]", "2027-03-31")
    page.check("#open-period input[name=double]")
    page.click("#open-period button[type=submit]")
    page.wait_for_selector("text=已开启周期“2027年第一季度”")
    _shot(page, "admin-periods")
    db.session.expire_all()
    assert db.session.scalar(select(Period).where(Period.name == "2027年第一季度")).double_marking

    page.goto(f"{server}/admin/periods/{people['period'].id}/rubric")
    _shot(page, "admin-rubric")
    page.goto(f"{server}/admin/users")
    _shot(page, "admin-users")
    page.goto(f"{server}/admin/branches")
    _shot(page, "admin-branches")

    page.goto(f"{server}/admin/queue")
    page.wait_for_selector("text=视频无法解码")
    _shot(page, "admin-queue")
    page.click("button:has-text('重新处理')")
    page.wait_for_selector("text=已重新提交处理")
    db.session.expire_all()
    video = db.session.get(Video, broken.current.video_id)
    assert video.state == "uploaded" and video.attempts == 0
    context.close()
