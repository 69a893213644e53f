"""Notices written with the event itself: a failed video, a released result, a changed password."""

from __future__ import annotations

from datetime import timedelta

from review.extensions import db
from review.models import Criterion, Decision, Video
from review.services import accounts, admin, decisions, pipeline
from tests.fixtures.app import PASSWORD
from tests.services.reminder_data import report, rows


def _video(people, period_id) -> Video:
    video = Video(
        owner_id=people["activist"].id,
        period_id=period_id,
        state="processing",
        original_path="videos/x/original.mp4",
        sha256="0" * 64,
        size_bytes=10,
    )
    db.session.add(video)
    db.session.commit()
    return video


def test_a_failed_video_tells_its_owner_why_and_to_record_again(people):
    period = people["period"]
    video = _video(people, period.id)
    pipeline.fail_video(video.id, "too_short")
    pipeline.fail_video(video.id, "too_short")  # already failed: no second notice
    got = rows("video_failed")
    assert [r.recipient_id for r in got] == [people["activist"].id]
    assert got[0].title == "视频处理失败"
    assert "视频太短（少于 5 秒）" in got[0].body
    assert "请重新录制并上传" in got[0].body and period.name in got[0].body
    assert got[0].link == f"/my/periods/{period.id}/"
    assert got[0].key == f"video-{video.id}"


def test_the_failure_and_its_notice_are_one_transaction(people, monkeypatch):
    video = _video(people, people["period"].id)

    def boom(*args, **kwargs):
        raise RuntimeError("outbox down")

    monkeypatch.setattr("review.services.events.notify", boom)
    try:
        pipeline.fail_video(video.id, "undecodable")
    except RuntimeError:
        db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Video, video.id).state == "processing"  # nothing half-written


def test_after_the_deadline_the_notice_does_not_ask_to_record_again(people, monkeypatch):
    period = people["period"]
    video = _video(people, period.id)
    later = period.closes_at + timedelta(hours=1)
    monkeypatch.setattr("review.clock.now", lambda: later)
    pipeline.fail_video(video.id, "undecodable")
    body = rows("video_failed")[0].body
    assert "请重新录制并上传" not in body and "已经截止" in body


def _decide(people, outcome: str, comment: str = "", redo: str | None = None) -> Decision:
    period = people["period"]
    submission = report(people["activist"], period, state="reviewed")
    db.session.commit()
    marks = {
        c.id: 3.0
        for c in db.session.query(Criterion).filter_by(rubric_version_id=period.rubric_version_id)
    }
    decisions.set_decision(submission.id, people["committee"].id, marks, outcome, comment, redo)
    decisions.release(people["committee"].id, period.id)
    return decisions.get_decision(submission.current.id)


def test_a_released_result_tells_the_decision_and_where_to_read_the_feedback(people):
    decision = _decide(people, "pass")
    got = rows("result_released")
    assert [r.recipient_id for r in got] == [people["activist"].id]
    assert "审阅结果已发布：通过" in got[0].body and "审阅结果" in got[0].body
    assert got[0].key == f"version-{decision.version_id}"
    assert rows("revision_requested") == []


def test_needs_revision_says_what_to_redo(people):
    _decide(people, "revise", "誓词部分请完整宣读", redo="both")
    got = rows("revision_requested")
    assert got[0].title == "思想汇报需修改"
    assert "党委的要求：需要重新录制视频，并修改书面汇报。" in got[0].body
    assert "审阅意见：誓词部分请完整宣读" in got[0].body
    assert rows("result_released") == []


def test_every_password_change_sends_a_notice(people):
    user = people["activist"]
    accounts.change_password(user.id, PASSWORD, "lanqiu-xigua-47-moon")
    admin.reset_password(user.id, people["admin"].id)
    got = rows("password_changed", recipient_id=user.id)
    assert len(got) == 2
    assert all(r.title == "您的密码已修改" for r in got)
    assert "在“修改密码”页面修改" in got[0].body and "由管理员重置，所有设备" in got[1].body
    assert "如果这不是您本人的操作" in got[0].body
