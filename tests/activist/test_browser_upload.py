"""The page's uploader on a phone: checks before sending, resume after a reload, cancel."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select

from review.extensions import db
from review.models import Upload, Video
from review.storage import upload_partial
from tests.activist.conftest import ARTIFACTS, login

pytestmark = pytest.mark.slow


def _open_report(page, base: str, period_id: int) -> None:
    login(page, base)
    page.goto(f"{base}/my/periods/{period_id}/")
    page.wait_for_selector("#uploader")


def _check_message(page, path) -> str:
    page.set_input_files("#video-pick", str(path))
    page.wait_for_function(
        "(() => { const b = document.getElementById('video-check');"
        " return !b.hidden && b.className.indexOf('alert-danger') >= 0; })()"
    )
    assert page.is_hidden("#upload-start")
    return page.inner_text("#video-check")


def test_checks_before_sending(app, people, live_server, phone, short_clip, oath_clip, tmp_path):
    page = phone
    _open_report(page, live_server, people["period"].id)
    notes = tmp_path / "汇报.txt"
    notes.write_text("不是视频", encoding="utf-8")
    assert (
        _check_message(page, notes) == "这个文件不是视频，请选择手机录制的视频文件（如 MP4、MOV）。"
    )
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    assert _check_message(page, empty) == "这个视频文件是空的，请重新选择。"
    assert _check_message(page, short_clip) == "视频太短（2 秒），至少需要 5 秒，请重新录制。"
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "11-too-short.png"), full_page=True)

    app.config["MAX_DURATION"] = 10
    page.reload()
    assert re.fullmatch(
        r"视频太长（(19|20) 秒），最长 10 秒，请剪短或重新录制。", _check_message(page, oath_clip)
    )
    app.config["MAX_DURATION"], app.config["MAX_UPLOAD_BYTES"] = 600, 512 * 1024
    page.reload()
    message = _check_message(page, oath_clip)
    assert message.startswith("视频文件太大（1.1 MB），上限为 0.5 MB。")
    assert db.session.scalars(select(Upload)).first() is None  # nothing was sent


def test_resume_after_reload_and_cancel(app, people, live_server, phone, oath_clip):
    size = oath_clip.stat().st_size
    app.config["UPLOAD_CHUNK_BYTES"] = size // 4 + 1
    page = phone
    _open_report(page, live_server, people["period"].id)
    seen = {"post": 0, "patch": 0, "delete": 0, "hold": True, "held": None}

    def network(route):
        method = route.request.method
        if method == "POST":
            seen["post"] += 1
        if method == "DELETE":
            seen["delete"] += 1
        if method == "PATCH":
            seen["patch"] += 1
            if seen["hold"] and seen["patch"] == 3:
                seen["held"] = route  # the phone goes to sleep with this chunk on the wire
                return None
        return route.continue_()

    page.route("**/api/v1/uploads/**", network)
    page.set_input_files("#video-pick", str(oath_clip))
    page.click("#upload-start")
    for _ in range(200):
        if seen["held"] is not None:
            break
        page.wait_for_timeout(100)
    assert seen["held"] is not None
    seen["hold"] = False
    page.reload()  # WeChat reloads the page after the phone slept
    page.wait_for_selector("#resume-note:not([hidden])")
    assert page.inner_text("#resume-note").startswith(
        "上次的上传没有完成（已上传 50%）：请重新选择同一个视频，会从中断处继续。"
    )
    assert page.inner_text("#video-state") == "上传中 50%"  # the server's view, no JS needed
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "12-resume-after-reload.png"), full_page=True)

    page.set_input_files("#video-pick", str(oath_clip))
    page.click("#upload-start")
    page.wait_for_selector("body[data-upload=done]", timeout=30_000)
    assert seen["post"] == 1  # the same upload went on: no second creation
    db.session.expire_all()
    upload = db.session.scalars(select(Upload)).one()
    video = db.session.get(Video, upload.video_id)
    assert video.sha256 == hashlib.sha256(oath_clip.read_bytes()).hexdigest()
    assert (
        page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('huibao-tus::'))") == []
    )

    # A second upload that the activist cancels half-way: DELETE, bytes gone, nothing kept.
    page.reload()
    seen.update(patch=0, hold=True, held=None)
    page.set_input_files("#video-pick", str(oath_clip))
    page.click("#upload-start")
    for _ in range(200):
        if seen["held"] is not None:
            break
        page.wait_for_timeout(100)
    page.click("#upload-cancel")
    page.wait_for_selector("body[data-upload=cancelled]")
    assert page.inner_text("#upload-message") == "已取消上传。"
    assert seen["delete"] == 1
    db.session.expire_all()
    cancelled = db.session.scalars(select(Upload).where(Upload.completed_at.is_(None))).one()
    assert cancelled.meta["state"] == "terminated"
    assert not upload_partial(cancelled.id).exists()
    assert (
        page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('huibao-tus::'))") == []
    )
    assert page.is_enabled("#video-pick")


def test_renamed_text_file_refused_and_stale_failure_cleared(
    app, people, live_server, phone, make_video, oath_clip, tmp_path
):
    make_video("failed", error_code="undecodable")
    db.session.commit()
    page = phone
    _open_report(page, live_server, people["period"].id)
    assert page.is_visible("#video-error")  # the last video failed
    advice = page.inner_text("#video-advice")
    assert advice.startswith("建议 1–5 分钟")
    from review.services.media_errors import flag_label

    assert flag_label("short_video") == "视频过短（建议 1–5 分钟）"  # the flag says the same

    renamed = tmp_path / "我的视频.mp4"
    renamed.write_text("这其实是一个文本文件。" * 20, encoding="utf-8")
    sent = []
    page.route("**/api/v1/uploads/**", lambda route: (sent.append(1), route.continue_()))
    message = _check_message(page, renamed)
    assert message == "这个文件不是视频，请选择手机录制的视频文件（如 MP4、MOV）。"
    assert page.is_hidden("#video-error")  # a new file was picked: the old failure is gone
    page.set_input_files("#video-pick", str(oath_clip))
    page.wait_for_selector("#upload-start:not([hidden])")
    assert sent == [] and db.session.scalars(select(Upload)).first() is None


def test_submit_asks_and_says_what_is_frozen(app, people, live_server, phone, make_video):
    from review.services import papers

    make_video("ready")
    papers.save_text(people["activist"].id, people["period"].id, "敬爱的党组织：我认真学习了党章。")
    db.session.commit()
    page = phone
    _open_report(page, live_server, people["period"].id)
    asked = []

    def answer(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss() if len(asked) == 1 else dialog.accept()

    page.on("dialog", answer)
    page.click("#submit-button")
    page.wait_for_timeout(300)
    assert asked and asked[0].startswith("提交后不能再修改，确定提交吗？")
    assert "视频（时长 0:42）" in asked[0] and "书面汇报（文字稿 16 字）" in asked[0]
    db.session.expire_all()
    assert db.session.scalars(select(Video)).one() and _state(people) == "draft"
    page.click("#submit-button")
    page.wait_for_function("document.getElementById('report-state').textContent.length > 0")
    page.wait_for_timeout(500)
    assert len(asked) == 2 and _state(people) != "draft"


def _state(people) -> str:
    from review.models import Submission

    db.session.expire_all()
    return db.session.scalars(select(Submission)).one().state
