"""End to end on a phone inside WeChat: log in, pick a clip, upload through a network cut,
watch processing live, write the paper report, submit, reach 待审阅 and read the transcript.

Screenshots of every step are kept in test-artifacts/activist/.
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import select

from review.extensions import db
from review.models import Submission, Upload, Video
from tests.activist.conftest import ARTIFACTS, login

pytestmark = pytest.mark.slow

PAPER = (
    "敬爱的党组织：\n这个季度我认真学习了党章，参加了社区志愿服务。"
    "我将继续以党员标准严格要求自己，请党组织考验。"
)


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _shot(page, name: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")  # the sticky top bar then sits at the top
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _pump(page, until, timeout_s: float = 20.0) -> None:
    """Let Playwright dispatch route events until until() is true."""
    for _ in range(int(timeout_s * 10)):
        if until():
            return
        page.wait_for_timeout(100)
    raise AssertionError("timed out waiting in the page")


def test_phone_upload_through_a_network_cut_then_submit(
    app, people, live_server, phone, job_worker, oath_clip
):
    size = oath_clip.stat().st_size
    app.config["UPLOAD_CHUNK_BYTES"] = size // 6 + 1  # six chunks, so a cut lands half-way
    page = phone
    login(page, live_server)
    assert "MicroMessenger" in page.evaluate("navigator.userAgent")
    page.wait_for_selector("text=2026年第四季度")
    _shot(page, "01-home")

    page.click("text=去完成")
    page.wait_for_selector("#uploader")
    patches = {"n": 0, "held": None, "cut": False, "aborted": 0}

    def network(route):
        if route.request.method != "PATCH":
            return route.continue_()
        patches["n"] += 1
        if patches["n"] == 3:  # hold the third chunk on the wire: the phone is mid-upload
            patches["held"] = route
            return None
        if patches["cut"]:
            patches["aborted"] += 1
            return route.abort("internetdisconnected")
        return route.continue_()

    page.route("**/api/v1/uploads/**", network)
    page.set_input_files("#video-pick", str(oath_clip))
    page.wait_for_selector("#upload-start:not([hidden])")
    assert page.is_visible("#preview")
    assert "时长" in page.inner_text("#file-info")
    page.evaluate("window.__sameDocument = true")
    page.click("#upload-start")

    _pump(page, lambda: patches["held"] is not None)
    page.wait_for_function("document.getElementById('upload-percent').textContent !== '0%'")
    before_cut = int(page.inner_text("#upload-percent").rstrip("%"))
    assert 20 <= before_cut <= 60
    assert page.inner_text("#report-state") == f"上传中 {before_cut}%"
    assert page.is_hidden("#upload-retry") and page.is_hidden("#upload-start")
    assert page.inner_text("#upload-message") == "正在上传，请不要关闭页面。"
    _shot(page, "02-uploading")

    patches["cut"] = True  # the network drops: the held chunk and the retries fail
    patches["held"].abort("internetdisconnected")
    page.wait_for_selector("body[data-upload=retrying]")
    assert "网络中断" in page.inner_text("#upload-message")
    _pump(page, lambda: patches["aborted"] >= 1, timeout_s=10)
    page.wait_for_timeout(2500)
    _shot(page, "03-network-cut")
    db.session.expire_all()
    kept = db.session.scalars(select(Upload)).one().offset  # what arrived before the cut
    assert 0 < kept < size

    patches["cut"] = False  # the network is back
    page.wait_for_function(
        "document.getElementById('upload-message').textContent.indexOf('已从中断处继续上传') === 0",
        timeout=40_000,
    )
    _shot(page, "04-resumed")
    page.wait_for_selector("body[data-upload=done]", timeout=30_000)
    assert page.inner_text("#upload-percent") == "100%"

    db.session.expire_all()
    upload = db.session.scalars(select(Upload).where(Upload.completed_at.is_not(None))).one()
    video = db.session.get(Video, upload.video_id)
    assert (
        video.sha256
        == _sha256(oath_clip)
        == _sha256(app.config["MEDIA_ROOT"] / video.original_path)
    )
    assert video.size_bytes == size and video.original_name == oath_clip.name
    assert patches["aborted"] >= 1

    page.wait_for_selector("#video-state:has-text('处理中')")
    assert page.inner_text("#report-state") == "处理中 0%"
    job_worker()
    with contextlib.suppress(PlaywrightTimeout):  # part-way, when the machine is slow enough
        page.wait_for_function(
            "/处理中 [1-9]/.test(document.getElementById('video-state').textContent)",
            timeout=60_000,
            polling=200,
        )
    _shot(page, "05-processing")
    page.wait_for_selector("#video-state:has-text('处理完成')", timeout=240_000)
    page.wait_for_selector("#transcript")
    assert page.evaluate("window.__sameDocument") is True  # live status, no reload
    assert "中国共产党" in page.inner_text("#transcript")
    assert page.inner_text("#report-state") == "草稿"  # ready, but the paper is still missing
    assert page.is_hidden("#upload-progress") and page.is_hidden("#upload-start")
    _shot(page, "06-ready")

    page.click("#paper-link")
    page.wait_for_selector("#paper-text")
    page.fill("#paper-text", PAPER)
    page.wait_for_selector("text=草稿已自动保存", timeout=15_000)
    _shot(page, "07-paper-autosaved")
    db.session.expire_all()
    submission = db.session.scalars(select(Submission)).one()
    assert submission.current.paper_kind == "text" and submission.current.paper_text == PAPER

    page.click("text=‹ 2026年第四季度")
    page.wait_for_selector("#submit-button:not([disabled])")
    # Submitting asks first (test_browser_upload.py checks the question); the activist agrees.
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#submit-button")
    page.wait_for_selector("text=思想汇报已提交，等待支部审阅。")
    assert page.inner_text("#report-state") == "待审阅"
    _shot(page, "08-submitted")

    segment = page.locator("#transcript .seek").last
    seek_to = float(segment.get_attribute("data-seek"))
    segment.click()
    page.wait_for_function(f"document.getElementById('player').currentTime >= {seek_to - 0.01}")
    page.locator("#transcript").scroll_into_view_if_needed()
    _shot(page, "09-transcript")

    page.click("text=‹ 我的汇报")
    page.wait_for_selector("text=2026年第四季度")
    assert "待审阅" in page.inner_text(".report-card")
    _shot(page, "10-home-submitted")
    db.session.expire_all()
    assert db.session.scalars(select(Submission)).one().state == "submitted"


def test_released_feedback_on_the_phone(
    app, people, live_server, phone, make_video, release, h264_clip
):
    import shutil

    from review.services import papers
    from review.services.submissions import submit_version

    video = make_video("ready")
    shutil.copyfile(h264_clip, app.config["MEDIA_ROOT"] / video.playable_path)  # 6 s, playable
    papers.save_text(people["activist"].id, people["period"].id, "第一版正文")
    version = submit_version(people["activist"].id, people["period"].id)
    release(
        version.id,
        "revise",
        comments=(
            (3.5, "第 3 秒处语速偏快，请放慢。", True),
            (5.0, "内部备注，不给积极分子看。", False),
        ),
    )
    page = phone
    login(page, live_server)
    assert "需修改" in page.inner_text(".report-card")
    page.click("text=查看")
    page.wait_for_selector("#feedback")
    assert "内部备注" not in page.content()
    page.click("#feedback .seek")
    page.wait_for_function("Math.abs(document.getElementById('player').currentTime - 3.5) < 0.3")
    _shot(page, "13-feedback")
    page.click("button:has-text('开始修改')")
    page.wait_for_selector("text=已创建第 2 版")
    assert page.is_visible("#uploader") and page.is_visible("text=历史版本")
    _shot(page, "14-revision")
