"""The review page: what it shows, audit, queries per request, autosave over HTTP, CSRF."""

from __future__ import annotations

import re
from contextlib import contextmanager

from sqlalchemy import event, select

from review.extensions import db
from review.models import AuditEvent, Review, Submission, TranscriptSegment
from tests.reviews.conftest import change_list, login


@contextmanager
def count_queries():
    """Count the SQL statements run inside the block."""
    statements: list[str] = []

    def listener(conn, cursor, statement, *args):
        statements.append(statement)

    bind = db.session.get_bind()  # the test's connection, or the engine of a committed test
    engine = getattr(bind, "engine", bind)
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def test_queue_lists_and_opens_next_ungraded(client, more_people, make_submission):
    older = make_submission("activist", days_ago=16)
    make_submission("activist_c", days_ago=1)
    login(client, "r1")
    html = client.get("/reviews/").get_data(as_text=True)
    assert "审阅队列" in html and "负责支部：一支部" in html and "已超期 2 天" in html
    assert "李明" in html and "周强" in html
    assert client.get("/").location == "/reviews/"
    resp = client.get("/reviews/next")
    assert resp.status_code == 302 and resp.location == f"/reviews/{older}"


def test_queue_pages_by_link_and_counts_all(client, more_people, make_submission, monkeypatch):
    from review.reviews import routes

    monkeypatch.setattr(routes, "QUEUE_PAGE", 1)
    make_submission("activist", days_ago=5)
    make_submission("activist_c", days_ago=1)
    login(client, "r1")
    html = client.get("/reviews/").get_data(as_text=True)
    assert "共 2 份" in html and "李明" in html and "周强" not in html
    link = re.search(r'id="queue-next-page" rel="next" href="([^"]+)"', html).group(1)
    second = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert "周强" in second and "李明" not in second and "queue-next-page" not in second
    assert "回到第一页" in second and "共 2 份" in second
    stale = client.get("/reviews/?state=all&after=garbage")
    assert stale.status_code == 302 and stale.location == "/reviews/?state=all"
    assert "分页链接已失效" in client.get(stale.location).get_data(as_text=True)


def test_page_shows_three_panes_watermark_and_rubric(client, people, make_submission):
    sid = make_submission()
    login(client, "r1")
    resp = client.get(f"/reviews/{sid}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "private, no-store"
    assert 'controlslist="nodownload nofullscreen noremoteplayback"' in html
    assert f'src="/reviews/{sid}/captions.vtt"' in html and f'src="/reviews/{sid}/video"' in html
    assert "王老师 r1" in html  # the watermark names the viewer
    assert "我志愿加入中国共产党" in html and "这一季度我认真学习了党章" in html
    assert html.count('class="paper-page"') == 2  # the PDF's page and the photo, as images
    for title in ("入党动机", "对党的认识", "学习情况", "参加活动的心得体会", "入党誓词"):
        assert title in html
    assert "动机端正，表述具体真诚" in html  # descriptors
    assert "键盘快捷键" in html and "Ctrl+Enter" in html
    assert "download" not in html.replace("nodownload", "")
    views = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "read", AuditEvent.file.like("page:%"))
    ).all()
    assert [(v.actor_id, v.object_id) for v in views] == [(people["reviewer"].id, str(sid))]
    assert db.session.get(Submission, sid).state == "in_review"


def test_page_queries_do_not_grow_with_data(client, more_people, make_submission):
    small = make_submission("activist", segments=3)
    big = make_submission("activist_c", segments=80)
    for name in ("activist_d", "activist_b"):
        make_submission(name)
    login(client, "r1")
    client.get(f"/reviews/{small}")
    client.get(f"/reviews/{big}")
    with count_queries() as few:
        assert client.get(f"/reviews/{small}").status_code == 200
    with count_queries() as many:
        assert client.get(f"/reviews/{big}").status_code == 200
    assert len(few) == len(many), (few, many)
    assert len(many) <= 25, "\n".join(many)
    assert sum("transcript_segments" in q for q in many) == 1


def _draft(client, sid: int, **kwargs) -> object:
    review = db.session.scalar(select(Review).where(Review.reviewer_id.is_not(None)))
    return client.post(
        f"/reviews/{sid}/draft", json={"review_id": review.id, "changes": change_list(**kwargs)}
    )


def test_autosave_over_http_merges_fields_and_returns_conflicts(client, people, make_submission):
    sid = make_submission()
    login(client, "r1")
    client.get(f"/reviews/{sid}")
    resp = _draft(client, sid, overall="第一个标签页", writer="tabA")
    assert resp.status_code == 200
    assert resp.get_json()["fields"] == {"overall": 1} and resp.get_json()["conflicts"] == []
    resp = _draft(client, sid, overall="第二个标签页", writer="tabB")
    assert resp.status_code == 200
    assert resp.get_json()["conflicts"] == [
        {"field": "overall", "mine": "第二个标签页", "theirs": "第一个标签页", "revision": 1}
    ]
    resp = _draft(client, sid, scores={"999999": (3, None)})
    assert resp.status_code == 400 and "评分项不存在" in resp.get_json()["error"]["message"]
    html = client.get(f"/reviews/{sid}").get_data(as_text=True)
    assert "第一个标签页" in html and "第二个标签页" not in html
    assert '"fields": {"overall": 1}' in html  # the page bases its next changes on it


def test_submit_over_http_lands_on_next(client, more_people, make_submission):
    sid = make_submission(days_ago=3)
    other = make_submission("activist_c", days_ago=1)
    login(client, "r1")
    client.get(f"/reviews/{sid}")
    review = db.session.scalar(select(Review))
    criteria = re.findall(
        r'data-criterion="(\d+)"', client.get(f"/reviews/{sid}").get_data(as_text=True)
    )
    resp = client.post(
        f"/reviews/{sid}/submit",
        json={
            "review_id": review.id,
            "changes": change_list(scores={c: (10, None) for c in criteria[:4]}),
        },
    )
    assert resp.status_code == 400 and "入党誓词" in resp.get_json()["error"]["message"]
    resp = client.post(
        f"/reviews/{sid}/submit",
        json={
            "review_id": review.id,
            "changes": change_list(scores={c: (10, None) for c in criteria}, seq=10),
        },
    )
    assert resp.status_code == 200
    resp = client.get(resp.get_json()["next_url"])
    assert resp.location == f"/reviews/{other}"
    html = client.get(f"/reviews/{sid}").get_data(as_text=True)
    assert (
        "评分已锁定" in html and 'class="points-input" name="points-' in html and "disabled" in html
    )


def test_double_marking_page_is_blind(client, more_people, make_submission):
    from review.models import Period

    db.session.get(Period, more_people["period"].id).double_marking = True
    db.session.commit()
    sid = make_submission()
    login(client, "r1")
    client.get(f"/reviews/{sid}")
    first = db.session.scalar(select(Review))
    criteria = re.findall(
        r'data-criterion="(\d+)"', client.get(f"/reviews/{sid}").get_data(as_text=True)
    )
    resp = client.post(
        f"/reviews/{sid}/submit",
        json={
            "review_id": first.id,
            "changes": change_list(
                overall="王老师的秘密评语",
                scores={c: (17, "王老师的分项说明") for c in criteria},
                comments={"w1": {"at": 1, "text": "王老师的时间点评语"}},
            ),
        },
    )
    assert resp.status_code == 200
    login(client, "r3")
    html = client.get(f"/reviews/{sid}").get_data(as_text=True)
    assert "王老师" not in html and 'value="17"' not in html
    resp = client.post(
        f"/reviews/{sid}/draft",
        json={"review_id": first.id, "changes": change_list(overall="偷看")},
    )
    assert resp.status_code == 404
    queue = client.get("/reviews/?state=all").get_data(as_text=True)
    assert "王老师" not in queue.replace("王老师 r1", "")


def test_segment_correction_over_http_and_captions(client, people, make_submission):
    sid = make_submission()
    segment = db.session.get(Submission, sid).current.video.segments[1]
    login(client, "r1")
    resp = client.post(
        f"/reviews/{sid}/segments/{segment.id}", json={"text": "拥护党的纲领，遵守党的章程。"}
    )
    assert resp.get_json() == {
        "id": segment.id,
        "text": "拥护党的纲领，遵守党的章程。",
        "original": "拥护党的纲领，遵守党的章程",
        "corrected": True,
    }
    vtt = client.get(f"/reviews/{sid}/captions.vtt").get_data(as_text=True)
    assert vtt.startswith("WEBVTT") and "遵守党的章程。" in vtt
    assert (
        db.session.get(TranscriptSegment, segment.id).original_text == "拥护党的纲领，遵守党的章程"
    )
    resp = client.post(f"/reviews/{sid}/segments/{segment.id}", json={"text": ""})
    assert resp.status_code == 400 and "不能为空" in resp.get_json()["error"]["message"]


def test_autosave_needs_the_csrf_header(make_app, people, make_submission):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        sid = make_submission()
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        client.post(
            "/login", data={"username": "r1", "password": "correct-horse-9", "csrf_token": token}
        )
        html = client.get(f"/reviews/{sid}").get_data(as_text=True)
        token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
        review_id = int(re.search(r'"review_id": (\d+)', html).group(1))
        body = {"review_id": review_id, "changes": change_list(overall="好")}
        resp = client.post(f"/reviews/{sid}/draft", json=body)
        assert resp.status_code == 400
        resp = client.post(f"/reviews/{sid}/draft", json=body, headers={"X-CSRFToken": token})
        assert resp.status_code == 200, resp.get_data(as_text=True)


def test_transcript_corrections_stop_once_results_are_released(client, people, make_submission):
    sid = make_submission()
    submission = db.session.get(Submission, sid)
    segment = submission.current.video.segments[0]
    submission.state = "released"
    db.session.commit()
    login(client, "r1")
    html = client.get(f"/reviews/{sid}").get_data(as_text=True)
    assert "seg-edit" not in html  # no 校对 button
    resp = client.post(f"/reviews/{sid}/segments/{segment.id}", json={"text": "改过的文字"})
    assert resp.status_code == 409 and "结果已经发布" in resp.get_json()["error"]["message"]
    db.session.expire_all()
    assert db.session.get(TranscriptSegment, segment.id).corrected_by is None
