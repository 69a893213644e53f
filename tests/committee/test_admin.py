"""Administration in the browser: accounts, roster, periods, rubric versions, failed videos."""

from __future__ import annotations

import io
from datetime import date, timedelta

from sqlalchemy import select

from review.extensions import db
from review.models import Period, User, Video
from tests.committee.conftest import make_review, make_submission

ROSTER_BAD = (
    "学号,姓名,支部,角色\n2026001,钱多多,一支部,入党积极分子\n2026002,孙小小,三支部,入党积极分子\n"
)


def _upload(client, text: str, name: str = "名单.csv"):
    return client.post(
        "/admin/roster",
        data={"file": (io.BytesIO(text.encode("utf-8-sig")), name)},
        content_type="multipart/form-data",
    )


def test_admin_pages_are_for_admins_only(people, client, auth):
    auth.login("c1")
    for url in (
        "/admin/",
        "/admin/users",
        "/admin/roster",
        "/admin/periods",
        "/admin/queue",
        "/admin/branches",
    ):
        assert client.get(url).status_code == 403, url
    auth.logout()
    auth.login("admin")
    for url in (
        "/admin/",
        "/admin/users",
        "/admin/roster",
        "/admin/periods",
        "/admin/queue",
        "/admin/branches",
        f"/admin/periods/{people['period'].id}/rubric",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get("/committee/").status_code == 403  # admins manage; they read no report


def test_roster_upload_all_or_nothing(people, client, auth):
    auth.login("admin")
    resp = _upload(client, ROSTER_BAD)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "第 3 行" in page and "三支部" in page
    assert db.session.scalar(select(User).where(User.username == "2026001")) is None
    resp = _upload(client, ROSTER_BAD.replace("三支部", "二支部"))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "新建 2 个账号" in page
    created = db.session.scalar(select(User).where(User.username == "2026002"))
    assert created.branch.name == "二支部" and created.must_change_password


def test_users_create_deactivate_reset(people, client, auth):
    auth.login("admin")
    resp = client.post(
        "/admin/users",
        data={
            "username": "r9",
            "name": "林老师",
            "role": "reviewer",
            "branches": ["一支部", "二支部"],
        },
        follow_redirects=True,
    )
    assert "已创建账号 r9" in resp.get_data(as_text=True)
    r9 = db.session.scalar(select(User).where(User.username == "r9"))
    assert {b.name for b in r9.reviewer_of} == {"一支部", "二支部"}
    client.post(
        "/admin/branches/assign",
        data={"user_id": r9.id, "branch_id": r9.reviewer_of[0].id, "assigned": "0"},
    )
    db.session.refresh(r9)
    assert len(r9.reviewer_of) == 1
    a1 = people["activist"]
    client.post(f"/admin/users/{a1.id}/active", data={"active": "0"})
    db.session.refresh(a1)
    assert a1.active is False
    page = client.post(f"/admin/users/{a1.id}/password", follow_redirects=True).get_data(
        as_text=True
    )
    db.session.refresh(a1)
    assert a1.must_change_password and "临时密码" in page
    own = client.post(
        f"/admin/users/{people['admin'].id}/active", data={"active": "0"}, follow_redirects=True
    )
    assert "不能停用自己的账号" in own.get_data(as_text=True)


def test_periods_open_extend_close(people, client, auth):
    auth.login("admin")
    opens, closes = date.today(), date.today() + timedelta(days=20)
    client.post(
        "/admin/periods",
        data={
            "name": "2027年第一季度",
            "opens": opens.isoformat(),
            "closes": closes.isoformat(),
            "double": "1",
        },
    )
    period = db.session.scalar(select(Period).where(Period.name == "2027年第一季度"))
    assert period.double_marking and not period.oath_required
    later = closes + timedelta(days=7)
    client.post(
        f"/admin/periods/{period.id}",
        data={"closes": later.isoformat(), "oath": "1", "action": "save"},
    )
    db.session.refresh(period)
    assert period.oath_required and not period.double_marking
    assert period.closes_at.date() >= later - timedelta(days=1)
    bad = client.post(
        f"/admin/periods/{period.id}", data={"closes": "2026/13/01"}, follow_redirects=True
    )
    assert "格式不对" in bad.get_data(as_text=True)
    client.post(f"/admin/periods/{period.id}", data={"action": "close"})
    db.session.refresh(period)
    from review.services.periods import open_periods

    assert period not in open_periods()


def test_rubric_edit_makes_new_version_once_used(people, client, auth):
    period = people["period"]
    auth.login("admin")
    first = period.rubric_version
    titles = [c.title for c in first.criteria]
    form = {
        "title": titles + ["政治表现"],
        "max_points": ["20"] * 5 + ["10"],
        "descriptors": ["好\n中\n差"] * 6,
    }
    client.post(f"/admin/periods/{period.id}/rubric", data=form)
    db.session.refresh(period)
    assert period.rubric_version_id == first.id and period.rubric_version.max_total == 110
    sub = make_submission(people["activist"], period)
    make_review(sub, people["reviewer"], [10] * 6)
    form["max_points"][-1] = "15"
    page = client.post(
        f"/admin/periods/{period.id}/rubric", data=form, follow_redirects=True
    ).get_data(as_text=True)
    db.session.refresh(period)
    assert period.rubric_version_id != first.id and period.rubric_version.number == 2
    assert period.rubric_version.max_total == 115 and "第 2 版" in page
    assert [c.max_points for c in first.criteria][-1] == 10  # the used version is untouched
    empty = client.post(
        f"/admin/periods/{period.id}/rubric",
        data={"title": [""], "max_points": ["20"], "descriptors": [""]},
        follow_redirects=True,
    )
    assert "至少需要一个评分项" in empty.get_data(as_text=True)


def test_failed_video_retry(people, client, auth, app):
    sub = make_submission(people["activist"], people["period"], video_state="failed")
    video_id = sub.current.video_id
    auth.login("admin")
    page = client.get("/admin/queue").get_data(as_text=True)
    assert "视频无法解码" in page and "moov atom not found" in page
    assert "没有正在运行的处理进程" in page
    client.post(f"/admin/videos/{video_id}/retry")
    db.session.expire_all()
    video = db.session.get(Video, video_id)
    assert video.state == "uploaded" and video.error_code is None and video.attempts == 0
    assert app.extensions["rq"]["media"].count == 1
    again = client.post(f"/admin/videos/{video_id}/retry", follow_redirects=True)
    assert "只有处理失败的视频可以重试" in again.get_data(as_text=True)
