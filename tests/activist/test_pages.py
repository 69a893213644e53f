"""The activist's pages: home states in plain words, media for the owner, feedback after release."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import pytest

from review.extensions import db
from review.models import Submission, SubmissionVersion, Upload
from review.services import papers
from review.services.submissions import submit_version
from tests.activist.conftest import draft_of


@pytest.fixture
def a1(client, auth, people):
    auth.login("a1")
    return client


def _home(client) -> str:
    resp = client.get("/my/")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def _close(resp):
    resp.get_data()
    resp.close()
    return resp


def test_index_sends_the_activist_to_my_home(a1, people):
    assert a1.get("/").location == "/my/"
    html = _home(a1)
    assert "我的思想汇报" in html and "2026年第四季度" in html and "未开始" in html
    assert 'href="/my/"' in html  # the navigation link
    assert "视频汇报：未上传" in html and "书面思想汇报：未提交" in html
    assert f'href="/my/periods/{people["period"].id}/"' in html


def test_home_is_for_activists(client, auth, people):
    auth.login("r1")
    assert client.get("/my/").status_code == 403
    assert client.get(f"/my/periods/{people['period'].id}/").status_code == 403


def test_uploading_state_from_an_unfinished_upload(a1, people):
    now = datetime.now(UTC)
    db.session.add(
        Upload(
            id=secrets.token_hex(16),
            owner_id=people["activist"].id,
            period_id=people["period"].id,
            length=1000,
            offset=450,
            meta={"state": "active"},
            created_at=now,
            expires_at=now + timedelta(hours=1),
        )
    )
    db.session.commit()
    html = _home(a1)
    assert "上传中 45%" in html and "上传尚未完成" in html


def test_processing_percent(a1, make_video):
    make_video("processing", progress={"probe": 1.0, "transcode": 0.5})
    html = _home(a1)
    assert "处理中 31%" in html  # (10 + 40 × 0.5) / (10 + 40 + 45)


def test_failed_video_shows_reason_and_what_to_do(a1, make_video):
    make_video("failed", error_code="too_short")
    html = _home(a1)
    assert "处理失败" in html
    assert "视频太短（少于 5 秒），请重新录制后上传。" in html


def test_flags_that_matter_before_review(a1, people, make_video):
    make_video("ready", flags=["no_speech", "low_volume", "long_silence"])
    html = _home(a1)
    assert "提醒：未检测到语音。审阅前还可以重新录制上传。" in html
    assert "提醒：音量过低。" in html and "长时间静音" not in html
    page = a1.get(f"/my/periods/{people['period'].id}/").get_data(as_text=True)
    assert "提醒：未检测到语音。" in page and 'id="uploader"' in page
    assert "新视频会替换当前视频" in page


@pytest.mark.parametrize(
    ("state", "words"),
    [
        ("submitted", "待审阅"),
        ("in_review", "审阅中"),
        ("reviewed", "审阅中"),
        ("released", "已发布"),
        ("needs_revision", "需修改"),
    ],
)
def test_workflow_states_in_plain_words(a1, people, make_video, state, words):
    make_video("ready")
    papers.save_text(people["activist"].id, people["period"].id, "正文")
    version = submit_version(people["activist"].id, people["period"].id)
    db.session.get(Submission, version.submission_id).state = state
    db.session.commit()
    assert f'">{words}</span>' in _home(a1)


def test_ready_video_player_transcript_and_range(a1, people, make_video):
    video = make_video("ready")
    html = a1.get(f"/my/periods/{people['period'].id}/").get_data(as_text=True)
    assert f'src="/my/videos/{video.id}/play"' in html
    assert f'poster="/my/videos/{video.id}/poster"' in html
    assert 'data-seek="75.5">01:15</button>' in html and "永不叛党。" in html
    resp = _close(a1.get(f"/my/videos/{video.id}/play", headers={"Range": "bytes=0-99"}))
    assert resp.status_code == 206 and resp.headers["Content-Range"] == "bytes 0-99/10240"
    assert resp.data == bytes(range(100)) and resp.mimetype == "video/mp4"
    assert _close(a1.get(f"/my/videos/{video.id}/poster")).mimetype == "image/jpeg"


def test_media_only_for_the_owner(client, auth, people, make_video):
    mine = make_video("ready")
    theirs = make_video("ready", user="activist_b")
    auth.login("a1")
    assert _close(client.get(f"/my/videos/{mine.id}/play")).status_code == 200
    assert client.get(f"/my/videos/{theirs.id}/play").status_code == 404
    assert client.get(f"/my/videos/{theirs.id}/poster").status_code == 404
    assert client.get("/my/videos/9999/play").status_code == 404
    auth.logout()
    auth.login("r1")
    assert client.get(f"/my/videos/{mine.id}/play").status_code == 403


def _submitted(people, make_video) -> int:
    make_video("ready")
    papers.save_text(people["activist"].id, people["period"].id, "第一版正文")
    return submit_version(people["activist"].id, people["period"].id).id


def test_nothing_visible_before_release(a1, people, make_video, release):
    version_id = _submitted(people, make_video)
    release(version_id, "pass", released=False)
    html = a1.get(f"/my/periods/{people['period'].id}/").get_data(as_text=True)
    assert "审阅中" in html
    for hidden in ("审阅结果", "誓词部分声音清楚", "继续保持", "通过", "总分"):
        assert hidden not in html
    assert "审阅中" in _home(a1) and "已发布" not in _home(a1)


def test_feedback_after_release(a1, people, make_video, release):
    version_id = _submitted(people, make_video)
    release(version_id, "pass")
    html = a1.get(f"/my/periods/{people['period'].id}/").get_data(as_text=True)
    assert "审阅结果" in html and 'class="outcome outcome-pass">通过<' in html
    assert "党委意见：</strong>继续保持。" in html
    assert '<td>入党动机</td><td class="num">16 / 20</td>' in html
    assert '<td>总分</td><td class="num">84 / 100</td>' in html
    assert 'data-seek="12.5">▶ 00:12</button>' in html and "誓词部分声音清楚，态度端正。" in html
    assert "内部备注" not in html and "草稿评论不应出现" not in html
    assert "开始修改" not in html


def test_needs_revision_opens_a_new_version(a1, people, make_video, release):
    version_id = _submitted(people, make_video)
    release(version_id, "revise")
    url = f"/my/periods/{people['period'].id}/"
    html = a1.get(url).get_data(as_text=True)
    assert 'outcome-revise">需修改<' in html and "开始修改" in html
    assert 'id="uploader"' not in html  # the released version stays read-only
    html = a1.post(f"{url}revise", follow_redirects=True).get_data(as_text=True)
    assert "已创建第 2 版" in html and 'id="uploader"' in html and "第 2 版" in html
    assert "历史版本" in html
    version = draft_of(people)
    v1 = db.session.scalar(
        db.select(SubmissionVersion).where(
            SubmissionVersion.submission_id == version.submission_id,
            SubmissionVersion.number == 1,
        )
    )
    assert version.number == 2 and version.video_id == v1.video_id  # a copy of version 1
    assert version.paper_text == "第一版正文"
    # the feedback of version 1 stays beside the editor, only what the activist may see
    assert 'id="previous-feedback"' in html and "第 1 版的审阅意见" in html
    assert "继续保持。" in html and "誓词部分声音清楚，态度端正。" in html
    assert "内部备注" not in html and "草稿评论不应出现" not in html
    submission_id = version.submission_id
    old = a1.get(f"/my/submissions/{submission_id}/versions/1").get_data(as_text=True)
    assert "只能查看，不能修改" in old and "需修改" in old and "第一版正文" in old
    assert a1.post(f"{url}revise", follow_redirects=True).status_code == 200
    assert draft_of(people).number == 2


def test_other_activists_cannot_open_versions(client, auth, people, make_video):
    _submitted(people, make_video)
    submission_id = db.session.scalar(
        db.select(Submission.id).where(Submission.activist_id == people["activist"].id)
    )
    auth.login("a2")
    assert client.get(f"/my/submissions/{submission_id}/versions/1").status_code == 404


def test_closed_period_without_report_is_404(a1, people):
    period = people["period"]
    period.closes_at = datetime.now(UTC) - timedelta(days=1)
    db.session.commit()
    assert a1.get(f"/my/periods/{period.id}/").status_code == 404
    assert "目前没有开放的汇报周期" in _home(a1)


def test_own_media_through_the_front_server(make_app, people, make_video):
    video = make_video("ready")
    client = make_app(SENDFILE_MODE="x-accel", SENDFILE_ACCEL_PREFIX="/_media/").test_client()
    client.post("/login", data={"username": "a1", "password": "correct-horse-9"})
    resp = client.get(f"/my/videos/{video.id}/play", headers={"Range": "bytes=0-99"})
    assert resp.status_code == 200 and resp.data == b""  # nginx sends the bytes and the Range
    assert resp.headers["X-Accel-Redirect"] == f"/_media/{video.playable_path}"
    assert resp.headers["Content-Type"] == "video/mp4"
    assert resp.headers["Cache-Control"] == "private, no-store"
    poster = client.get(f"/my/videos/{video.id}/poster")
    assert poster.headers["X-Accel-Redirect"] == f"/_media/{video.poster_path}"
