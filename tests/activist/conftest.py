"""Fixtures of the activist tests: a video row in a chosen state, a released decision."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from review.extensions import db
from review.models import (
    AgreedMark,
    Comment,
    Decision,
    Review,
    ReviewState,
    SubmissionState,
    TranscriptSegment,
    Video,
)
from review.services.submissions import attach_video, get_or_create_draft
from tests.fixtures.tools import CHROMIUM_ARGS


@pytest.fixture
def make_video(app, people):
    """Return a function that attaches a video in a given state to an activist's draft.

    The row is written as the pipeline would leave it (playable file, poster, transcript), so
    page and rule tests need not run ffmpeg and Whisper; tests/activist/test_browser.py does.
    """

    def make(state: str = "ready", user: str = "activist", **fields) -> Video:
        owner, period = people[user], people["period"]
        root = Path(app.config["MEDIA_ROOT"])
        folder = root / "videos" / f"test-{owner.id}-{datetime.now().timestamp()}"
        folder.mkdir(parents=True)
        (folder / "original.mp4").write_bytes(b"\x00\x00\x00\x18ftypisom" + b"v" * 2000)
        video = Video(
            owner_id=owner.id,
            period_id=period.id,
            state=state,
            original_path=(folder / "original.mp4").relative_to(root).as_posix(),
            sha256=hashlib.sha256(b"x").hexdigest(),
            size_bytes=2012,
            original_name="汇报.mp4",
            progress={},
            flags=[],
            probe={},
        )
        if state == "ready":
            (folder / "playable.mp4").write_bytes(bytes(range(256)) * 40)
            (folder / "poster.jpg").write_bytes(b"\xff\xd8\xff\xe0poster")
            video.playable_path = (folder / "playable.mp4").relative_to(root).as_posix()
            video.poster_path = (folder / "poster.jpg").relative_to(root).as_posix()
            video.transcoded, video.reviewable, video.duration = True, True, 42.0
            video.transcript_engine = "faster-whisper base"
            video.segments = [
                TranscriptSegment(
                    position=0,
                    start=0.0,
                    end=4.0,
                    text="我志愿加入中国共产党，",
                    original_text="我志愿加入中国共产党，",
                ),
                TranscriptSegment(
                    position=1, start=75.5, end=80.0, text="永不叛党。", original_text="永不叛党。"
                ),
            ]
        for name, value in fields.items():
            setattr(video, name, value)
        db.session.add(video)
        db.session.flush()
        attach_video(owner.id, period.id, video.id)
        return video

    return make


@pytest.fixture
def release(app, people):
    """Return a function that records and releases the committee's decision on a version."""

    def do(
        version_id: int,
        outcome: str = "pass",
        *,
        released: bool = True,
        redo: str | None = None,
        comments: tuple = (
            (12.5, "誓词部分声音清楚，态度端正。", True),
            (30.0, "内部备注：与上季度相似。", False),
        ),
    ) -> Decision:
        from review.models import SubmissionVersion

        version = db.session.get(SubmissionVersion, version_id)
        rubric = version.submission.period.rubric_version
        review = Review(
            reviewer_id=people["reviewer"].id,
            version_id=version_id,
            rubric_version_id=rubric.id,
            state=ReviewState.SUBMITTED.value,
            submitted_at=datetime.now(UTC),
        )
        review.comments = [
            Comment(at_seconds=t, text=text, visible_to_activist=visible)
            for t, text, visible in comments
        ]
        draft = Review(
            reviewer_id=people["reviewer_b"].id,
            version_id=version_id,
            rubric_version_id=rubric.id,
            state=ReviewState.DRAFT.value,
        )
        draft.comments = [
            Comment(at_seconds=5, text="草稿评论不应出现。", visible_to_activist=True)
        ]
        decision = Decision(
            version_id=version_id,
            outcome=outcome,
            comment="继续保持。",
            redo=redo if outcome == "revise" else None,
            decided_by=people["committee"].id,
        )
        decision.marks = [
            AgreedMark(criterion_id=c.id, points=16 + i % 3) for i, c in enumerate(rubric.criteria)
        ]
        db.session.add_all([review, draft, decision])
        state = {
            "pass": SubmissionState.RELEASED,
            "fail": SubmissionState.RELEASED,
            "revise": SubmissionState.NEEDS_REVISION,
        }[outcome]
        if released:
            decision.released_at = datetime.now(UTC)
            decision.released_by = people["committee"].id
            version.submission.state = state.value
        else:
            version.submission.state = SubmissionState.REVIEWED.value
        db.session.commit()
        return decision

    return do


def draft_of(people, user: str = "activist"):
    """Return the activist's current draft for the fixture period."""
    return get_or_create_draft(people[user].id, people["period"].id)


# -- browser tests: a real server, a phone, and a job runner thread --------------------------

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "activist"
WECHAT_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/4G "
    "Language/zh_CN"
)
PHONE = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": WECHAT_UA,
    "locale": "zh-CN",
    "bypass_csp": True,  # wait_for_function(str) evaluates; the page itself runs under CSP
}


@pytest.fixture
def phone(chromium):
    """A Chromium page set up as a phone inside WeChat (375×812, touch, MicroMessenger UA)."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(**PHONE)
        context.set_default_timeout(20_000)
        page = context.new_page()
        yield page
        context.close()
        browser.close()


def login(page, base: str, username: str = "a1") -> None:
    """Log in through the login form as a phone user would."""
    from tests.fixtures.app import PASSWORD

    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/my/")


@pytest.fixture
def job_worker(app):
    """Return start(): run `python -m workers.worker`, as in production, until the end.

    A separate process, not a thread: the worker runs its jobs in its own process with its
    own connection pool, as a production worker does.
    """
    import os
    import signal
    import subprocess

    from tests.fixtures.pipeline import worker_process

    procs: list[subprocess.Popen] = []

    def start() -> None:
        procs.append(worker_process(app, "media", "asr", "default"))  # logs: worker.log

    yield start
    for proc in procs:
        os.killpg(proc.pid, signal.SIGTERM)  # its own session: its children go too
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
