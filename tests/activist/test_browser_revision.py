"""Revision in real Chromium: the committee says what to redo (1440×900), the activist's
version 2 starts as a copy with the feedback beside the editor (375×812 WeChat phone), and
the reviewer compares the two versions (1440×900).

Screenshots are kept in test-artifacts/revision/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from review.exceptions import ValidationError
from review.extensions import db
from review.models import Decision, Submission, SubmissionVersion
from review.services import decisions, papers
from review.services.submissions import start_revision, submit_version
from tests.activist.conftest import login
from tests.fixtures.app import PASSWORD
from tests.fixtures.tools import CHROMIUM_ARGS

pytestmark = pytest.mark.slow

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "revision"
DESKTOP = {
    "viewport": {"width": 1440, "height": 900},
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
    "bypass_csp": True,
}
FIRST = (
    "敬爱的党组织：\n这个季度我学习了党章，参加了社区志愿服务。\n"
    "我将继续以党员标准要求自己，请党组织考验。"
)
SECOND = (
    "敬爱的党组织：\n这个季度我认真学习了党章和党的二十大报告，参加了社区志愿服务三次。\n"
    "在服务中我体会到全心全意为人民服务的含义。\n"
    "我将继续以党员标准严格要求自己，请党组织考验。"
)


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def first_version(app, people, make_video, h264_clip):
    """a1's version 1 submitted: a real playable clip with a poster, typed paper text."""
    video = make_video("ready", duration=6.0)
    root = Path(app.config["MEDIA_ROOT"])
    shutil.copyfile(h264_clip, root / video.playable_path)
    Image.new("RGB", (320, 180), (150, 30, 30)).save(root / video.poster_path, "JPEG")
    activist_id, period_id = people["activist"].id, people["period"].id
    papers.save_text(activist_id, period_id, FIRST)
    return submit_version(activist_id, period_id)


def _submission(people) -> Submission:
    db.session.expire_all()
    return db.session.scalar(
        select(Submission).where(Submission.activist_id == people["activist"].id)
    )


def test_activist_revises_a_copy_with_the_feedback_beside(
    app, people, live_server, phone, first_version, release
):
    release(first_version.id, "revise")
    decision = db.session.scalar(select(Decision).where(Decision.version_id == first_version.id))
    decision.comment, decision.redo = "视频可以，请把书面汇报中学习的内容写具体。", "paper"
    db.session.commit()
    page = phone
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))
    login(page, live_server)
    report = f"{live_server}/my/periods/{people['period'].id}/"
    page.goto(report)
    page.wait_for_selector("text=开始修改")

    # 开始修改 pressed twice at once (a double tap on a weak network): one version 2
    page.evaluate(
        """() => {
          const form = [...document.forms].find(f => f.action.endsWith('/revise'));
          const send = () => fetch(form.action, {method: 'POST', body: new FormData(form)});
          return Promise.all([send(), send()]);
        }"""
    )
    page.click('button:has-text("开始修改")')
    page.wait_for_selector("text=已创建第 2 版")
    numbers = [v.number for v in _submission(people).versions]
    assert numbers == [1, 2]

    # the previous version's feedback stays in view: opinion, redo scope, visible comments
    feedback = page.inner_text("#previous-feedback")
    assert "第 1 版的审阅意见" in feedback and "需修改" in feedback
    assert "请把书面汇报中学习的内容写具体" in feedback and "需要修改书面汇报" in feedback
    assert "誓词部分声音清楚，态度端正。" in feedback
    assert "内部备注" not in page.content() and "草稿评论不应出现" not in page.content()
    # version 2 already holds version 1's processed video: nothing to upload again
    assert page.is_visible("#ready-slot video")
    assert "已沿用第 1 版的视频" in page.inner_text("#video-card")
    assert "现在的内容与第 1 版相同" in page.inner_text("#redo-paper")
    page.click("#previous-feedback .seek")  # the time codes still seek the same video
    assert page.evaluate("document.querySelector('#ready-slot video').currentTime") > 0
    _shot(page, "01-activist-v2-editor")

    # the report is held back until the paper changes; a forced submission is refused too
    assert page.inner_text("#report-state") == "待修改" and page.is_disabled("#submit-button")
    assert "修改书面汇报，完成后才能提交" in page.inner_text("#report-detail")
    page.evaluate("document.querySelector('#submit-card form').submit()")
    page.wait_for_selector(".alert-danger >> text=党委要求修改书面汇报")
    assert _submission(people).versions[-1].submitted_at is None
    _shot(page, "02-activist-refused")

    # the paper editor says what must change, starting from version 1's text
    page.click("#paper-link")
    page.wait_for_selector("#paper-previous")
    assert "需要修改书面汇报" in page.inner_text("#paper-previous")
    assert page.input_value("#paper-text") == FIRST
    _shot(page, "03-activist-paper-editor")
    page.fill("#paper-text", SECOND)
    page.click("#paper-form button[type=submit]")
    page.wait_for_url(report)
    assert "done" in page.get_attribute("#check-redo-paper", "class")
    assert page.inner_text("#report-state") == "可以提交"
    page.click("#submit-button")
    page.wait_for_selector("text=思想汇报已提交")
    version = _submission(people).versions[-1]
    assert version.number == 2 and version.submitted_at is not None
    assert version.video_id == first_version.video_id and version.paper_text == SECOND
    assert any("提交后不能再修改" in m for m in dialogs)


def _desktop(browser, base: str, username: str):
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    page.on("dialog", lambda d: d.accept())
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return context, page


def test_committee_asks_for_a_new_video_and_the_reviewer_compares(
    app, people, live_server, chromium, first_version, release, make_video
):
    from playwright.sync_api import sync_playwright

    release(first_version.id, "revise", released=False)  # reviewed; the committee decides
    submission_id = first_version.submission_id
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context, page = _desktop(browser, live_server, "c1")
        page.goto(f"{live_server}/committee/submissions/{submission_id}")
        page.check("input[name=outcome][value=revise]")
        page.click("#decision-form button[type=submit]")
        page.wait_for_selector(".alert-danger >> text=请选择需要重做的部分")  # not said yet
        page.check("input[name=outcome][value=revise]")
        page.check("input[name=redo][value=video]")
        page.fill("textarea[name=comment]", "入党誓词没有读完整，请重新录制视频。")
        page.click("#decision-form button[type=submit]")
        page.wait_for_selector("text=已保存认定结果")
        assert page.is_checked("input[name=redo][value=video]")
        _shot(page, "04-committee-redo")
        context.close()
        decisions.release(people["committee"].id, people["period"].id)

        # the activist's version 2: the same video is refused, a new one goes through
        activist_id, period_id = people["activist"].id, people["period"].id
        start_revision(activist_id, period_id)
        papers.save_text(activist_id, period_id, SECOND)
        with pytest.raises(ValidationError, match="重新录制视频"):
            submit_version(activist_id, period_id)
        make_video("ready", sha256="9" * 64, duration=8.0, original_name="重录.mp4")
        submit_version(activist_id, period_id)

        context, page = _desktop(browser, live_server, "r1")
        page.goto(f"{live_server}/reviews/{submission_id}")
        page.click("#compare-link")
        page.wait_for_selector("#paper-diff")
        assert page.inner_text("#video-verdict") == "新视频"
        assert "需要重新录制视频" in page.inner_text("#compare-redo")
        assert "入党誓词没有读完整" in page.inner_text("#compare-decision")
        inserted = page.eval_on_selector_all("#paper-diff ins", "els => els.map(e => e.innerText)")
        assert any("二十大报告" in text for text in inserted)
        assert "重录.mp4" in page.inner_text("#compare-video")
        _shot(page, "05-reviewer-compare")
        context.close()
        browser.close()
    versions = db.session.scalars(
        select(SubmissionVersion.number).where(SubmissionVersion.submission_id == submission_id)
    ).all()
    assert sorted(versions) == [1, 2]
