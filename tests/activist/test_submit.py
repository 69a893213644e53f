"""Submit rules: both parts present, video ready, frozen afterwards; the page and the API."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from review.exceptions import ConflictError, ValidationError
from review.extensions import db
from review.models import AuditEvent, Submission
from review.services import papers
from review.services.submissions import submit_version
from tests.activist.conftest import draft_of


def _submit(people):
    return submit_version(people["activist"].id, people["period"].id)


@pytest.mark.parametrize(
    ("video_state", "paper", "code", "message"),
    [
        (None, False, "missing_both", "还没有上传视频汇报和书面思想汇报，两部分都齐全后才能提交。"),
        (None, True, "missing_video", "还没有上传视频汇报，请先录制或选择视频上传。"),
        ("ready", False, "missing_paper", "还没有提交书面思想汇报，请填写文字或上传文件后再提交。"),
        (
            "processing",
            True,
            "video_processing",
            "视频还在处理中，处理完成后才能提交（通常只需几分钟），请稍后再来。",
        ),
        (
            "uploaded",
            True,
            "video_processing",
            "视频还在处理中，处理完成后才能提交（通常只需几分钟），请稍后再来。",
        ),
        ("failed", True, "video_failed", "视频处理失败，请重新上传视频后再提交。"),
    ],
)
def test_submit_refused_until_both_parts_are_there(
    people, make_video, video_state, paper, code, message
):
    if video_state:
        make_video(video_state)
    if paper:
        papers.save_text(people["activist"].id, people["period"].id, "我的思想汇报正文。")
    with pytest.raises(ValidationError) as exc:
        _submit(people)
    assert exc.value.code == code and str(exc.value.message) == message
    db.session.expire_all()
    version = draft_of(people)
    assert version.submitted_at is None and version.submission.state == "draft"


def test_submit_freezes_the_version(people, make_video):
    make_video("ready")
    papers.save_text(people["activist"].id, people["period"].id, "我的思想汇报正文。")
    version = _submit(people)
    assert version.frozen and version.submission.state == "submitted"
    assert db.session.query(AuditEvent).filter_by(action="submit").count() == 1
    with pytest.raises(ConflictError) as exc:
        _submit(people)
    assert str(exc.value.message) == "本期思想汇报已经提交，不能重复提交。"
    with pytest.raises(ConflictError) as exc:
        papers.save_text(people["activist"].id, people["period"].id, "改一改")
    assert str(exc.value.message) == "本期思想汇报已提交，不能再修改。"
    db.session.expire_all()
    assert draft_of.__name__  # the helper exists; the frozen text stayed as it was
    assert (
        db.session.get(Submission, version.submission_id).current.paper_text == "我的思想汇报正文。"
    )


def test_submit_after_deadline_is_refused(people, make_video):
    make_video("ready")
    papers.save_text(people["activist"].id, people["period"].id, "正文")
    period = people["period"]
    period.closes_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(ConflictError) as exc:
        _submit(people)
    assert exc.value.code == "period_closed" and "已经截止" in str(exc.value.message)


def test_submit_page_button_and_messages(client, auth, people, make_video):
    auth.login("a1")
    url = f"/my/periods/{people['period'].id}/"
    html = client.get(url).get_data(as_text=True)
    assert 'id="submit-button" type="submit" disabled' in html
    resp = client.post(f"{url}submit", follow_redirects=True)
    assert "还没有上传视频汇报和书面思想汇报" in resp.get_data(as_text=True)
    make_video("ready")
    papers.save_text(people["activist"].id, people["period"].id, "正文")
    html = client.get(url).get_data(as_text=True)
    assert "可以提交" in html and 'id="submit-button" type="submit" >' in html
    html = client.post(f"{url}submit", follow_redirects=True).get_data(as_text=True)
    assert "思想汇报已提交，等待支部审阅。" in html
    assert "待审阅" in html and 'id="submit-card"' not in html and 'id="uploader"' not in html


def test_api_submit_and_frozen_upload(client, people, make_video, token_for):
    headers = token_for("a1")
    video = make_video("ready")
    sub_id = db.session.get(Submission, draft_of(people).submission_id).id
    put = client.put(
        f"/api/v1/periods/{people['period'].id}/paper", json={"text": "正文"}, headers=headers
    )
    assert put.status_code == 200 and put.get_json()["paper"] == {"kind": "text", "chars": 2}
    assert (
        client.post(f"/api/v1/submissions/{sub_id}/submit", headers=token_for("a2")).status_code
        == 404
    )
    resp = client.post(f"/api/v1/submissions/{sub_id}/submit", headers=headers)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["state"] == "submitted" and resp.get_json()["video"]["id"] == video.id
    again = client.post(f"/api/v1/submissions/{sub_id}/submit", headers=headers)
    assert again.status_code == 409
    assert again.get_json()["error"]["message"] == "本期思想汇报已经提交，不能重复提交。"
    put = client.put(
        f"/api/v1/periods/{people['period'].id}/paper", json={"text": "x"}, headers=headers
    )
    assert put.status_code == 409
    assert put.get_json()["error"]["message"] == "本期思想汇报已提交，不能再修改。"
    meta = "period " + base64.b64encode(str(people["period"].id).encode()).decode()
    tus = client.post(
        "/api/v1/uploads/",
        headers={
            **headers,
            "Tus-Resumable": "1.0.0",
            "Upload-Length": "10",
            "Upload-Metadata": meta,
        },
    )
    assert tus.status_code == 409
    assert tus.get_json()["error"]["message"] == "本期思想汇报已提交，不能再修改。"


def test_api_submit_is_for_activists(client, people, make_video, token_for):
    make_video("ready")
    sub_id = draft_of(people).submission_id
    resp = client.post(f"/api/v1/submissions/{sub_id}/submit", headers=token_for("r1"))
    assert resp.status_code == 403
    assert resp.get_json()["error"]["message"] == "只有入党积极分子可以提交思想汇报。"
    resp = client.put(
        f"/api/v1/periods/{people['period'].id}/paper", json={"text": "x"}, headers=token_for("c1")
    )
    assert resp.status_code == 403
    resp = client.put(
        f"/api/v1/periods/{people['period'].id}/paper", data="x", headers=token_for("a1")
    )
    assert resp.status_code == 400
    assert resp.get_json()["error"]["message"] == "请以 JSON 格式提供 text 字段。"


def test_cookie_autosave_needs_the_csrf_header(make_app, people):
    import re

    from tests.fixtures.app import PASSWORD

    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    client.post("/login", data={"username": "a1", "password": PASSWORD, "csrf_token": token})
    page = client.get(f"/my/periods/{people['period'].id}/paper").get_data(as_text=True)
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    url = f"/api/v1/periods/{people['period'].id}/paper"
    assert client.put(url, json={"text": "正文"}).status_code == 400
    assert client.put(url, json={"text": "正文"}, headers={"X-CSRFToken": meta}).status_code == 200
