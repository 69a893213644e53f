"""Who may open the review page, its media, captions, paper files and autosave: nobody else."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from review.extensions import db
from review.models import PaperFile, Review, Submission
from review.services.reviews import editing
from tests.reviews.conftest import login

OUTSIDERS = (
    "r2",
    "a1",
    "a2",
    None,
)  # other branch's reviewer, the owner, another activist, anonymous


def status(client, url: str) -> int:
    """GET url and return the status, closing any file the response holds."""
    resp = client.get(url)
    resp.close()
    return resp.status_code


@pytest.fixture
def case(people, make_submission):
    """A submission of 一支部 with a draft review by r1, and its URLs."""
    sid = make_submission()
    review = editing.claim(people["reviewer"].id, sid)
    version = db.session.get(Submission, sid).current
    pdf, photo, docx = db.session.scalars(
        select(PaperFile).where(PaperFile.version_id == version.id).order_by(PaperFile.position)
    ).all()
    segment = version.video.segments[0]
    body = {"review_id": review.id, "revision": 0, "overall_comment": "改掉"}
    gets = [
        f"/reviews/{sid}",
        f"/reviews/{sid}/video",
        f"/reviews/{sid}/poster",
        f"/reviews/{sid}/captions.vtt",
        f"/reviews/{sid}/paper/{pdf.id}",
        f"/reviews/{sid}/paper/{photo.id}",
        f"/reviews/{sid}/paper/{pdf.id}/pages/1",
        f"/reviews/{sid}/paper/{photo.id}/pages/1",
    ]
    posts = [
        (f"/reviews/{sid}/draft", body),
        (f"/reviews/{sid}/submit", body),
        (f"/reviews/{sid}/segments/{segment.id}", {"text": "篡改"}),
    ]
    return {"sid": sid, "review": review.id, "gets": gets, "posts": posts, "docx": docx.id}


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_get_nothing(client, case, who):
    if who:
        login(client, who)
    for url in case["gets"]:
        resp = client.get(url, headers={"Range": "bytes=0-"})
        resp.close()
        if who is None and url == case["gets"][0]:
            # the page itself sends an anonymous visitor to the login form, as every page does
            assert resp.status_code == 302 and resp.location.startswith("/login?next="), url
            continue
        assert resp.status_code in (403, 404), (url, resp.status_code)
        assert b"WEBVTT" not in resp.data and b"ftyp" not in resp.data[:64], url
    for url, body in case["posts"]:
        resp = client.post(url, json=body)
        assert resp.status_code in (403, 404), (url, resp.status_code)
        assert "error" in resp.get_json(), url
    db.session.expire_all()
    review = db.session.get(Review, case["review"])
    assert review.overall_comment == "" and review.revision == 0 and review.state == "draft"
    assert "篡改" not in "".join(
        s.text for s in db.session.get(Submission, case["sid"]).current.video.segments
    )


def test_reviewer_of_the_branch_gets_everything(client, case):
    login(client, "r1")
    for url in case["gets"]:
        if "/paper/" in url and "/pages/" not in url:
            assert status(client, url) == 403, url  # page images only, never the original
            continue
        assert status(client, url) == 200, url
    assert status(client, f"/reviews/{case['sid']}/paper/{case['docx']}") == 403  # never a download


def test_committee_may_look_but_not_score(client, case):
    login(client, "c1")
    for url in case["gets"]:
        assert status(client, url) == 200, url
    html = client.get(case["gets"][0]).get_data(as_text=True)
    assert "只能阅览" in html and 'id="submit-review"' not in html
    url, body = case["posts"][0]
    assert client.post(url, json=body).status_code == 404


def test_unknown_submission_is_404(client, case):
    login(client, "r1")
    for url in ("/reviews/999999", "/reviews/999999/video", "/reviews/999999/captions.vtt"):
        assert status(client, url) == 404


def test_queue_is_for_reviewers(client, case):
    assert client.get("/reviews/").status_code == 302
    login(client, "a1")
    assert client.get("/reviews/").status_code == 403
    login(client, "r2")
    html = client.get("/reviews/?state=all").get_data(as_text=True)
    assert "李明" not in html and "暂无待审阅的思想汇报" in html


def test_drafts_are_not_shown_to_reviewers(client, people, make_submission):
    sid = make_submission()
    version = db.session.get(Submission, sid).current
    version.submitted_at = None
    version.submission.state = "draft"
    db.session.commit()
    login(client, "r1")
    for url in (f"/reviews/{sid}", f"/reviews/{sid}/video", f"/reviews/{sid}/captions.vtt"):
        assert status(client, url) == 404, url


def test_expired_page_token_gets_a_json_answer(make_app, people, make_submission):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        sid = make_submission()
        client = app.test_client()
        client.get("/login")
        resp = client.post(f"/reviews/{sid}/draft", json={"review_id": 1, "revision": 0})
        assert resp.status_code == 400 and "刷新页面" in resp.get_json()["error"]["message"]
