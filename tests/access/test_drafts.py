"""Drafts are the activist's own: nobody else reads or writes a version before it is submitted."""

from __future__ import annotations

import pytest

from review.access import (
    can_read_submission,
    can_read_version,
    can_write_version,
    readable_version,
    visible_submissions,
)
from review.exceptions import NotFoundError
from review.extensions import db
from review.models import Submission, TranscriptSegment
from review.services.reviews import corrections
from tests.access.conftest import DRAFT_WORDS, V2_WORDS, VIEWERS, login

OTHERS = ("same_branch", "other_branch", "reviewer", "reviewer_other", "committee", "admin")


def _user(people, who):
    from review.models import User

    return db.session.scalar(db.select(User).where(User.username == VIEWERS[who]))


@pytest.mark.parametrize("who", OTHERS)
def test_api_does_not_show_a_draft(client, report, token_for, who):
    draft = report("draft")
    headers = token_for(VIEWERS[who])
    one = client.get(f"/api/v1/submissions/{draft.id}", headers=headers)
    assert one.status_code == 404 and one.get_json()["error"]["code"] == "not_found"
    assert DRAFT_WORDS not in one.get_data(as_text=True)
    listed = client.get("/api/v1/submissions", headers=headers).get_json()["submissions"]
    assert draft.id not in [s["id"] for s in listed]


def test_owner_reads_the_draft_through_the_api(client, report, token_for):
    draft = report("draft")
    body = client.get(f"/api/v1/submissions/{draft.id}", headers=token_for("a1")).get_json()
    assert DRAFT_WORDS in body["video"]["transcript"]["text"] and body["state"] == "draft"


@pytest.mark.parametrize("who", ("reviewer", "committee"))
def test_analyses_page_does_not_show_a_draft(client, report, who):
    draft = report("draft")
    login(client, VIEWERS[who])
    resp = client.get(f"/search/analyses/{draft.id}")
    assert resp.status_code == 404 and DRAFT_WORDS not in resp.get_data(as_text=True)


@pytest.mark.parametrize("who", ("reviewer", "committee"))
def test_nobody_else_corrects_a_draft_transcript(client, report, who):
    draft = report("draft")
    segment = draft.current.video.segments[0]
    login(client, VIEWERS[who])
    resp = client.post(f"/reviews/{draft.id}/segments/{segment.id}", json={"text": "被改写了"})
    assert resp.status_code == 404 and "error" in resp.get_json()
    db.session.expire_all()
    assert db.session.get(TranscriptSegment, segment.id).text == f"{DRAFT_WORDS}0"
    assert db.session.get(TranscriptSegment, segment.id).corrected_by is None


@pytest.mark.parametrize("who", ("reviewer", "committee"))
def test_the_correction_service_refuses_a_draft(report, people, who):
    draft = report("draft")
    segment = draft.current.video.segments[0]
    with pytest.raises(NotFoundError):
        corrections.correct_segment(_user(people, who).id, draft.id, segment.id, "被改写了")
    db.session.expire_all()
    assert db.session.get(TranscriptSegment, segment.id).text == f"{DRAFT_WORDS}0"


def test_the_branch_reviewer_corrects_a_submitted_transcript(client, report):
    submitted = report("submitted")
    segment = submitted.current.video.segments[0]
    login(client, "r1")
    resp = client.post(f"/reviews/{submitted.id}/segments/{segment.id}", json={"text": "校对后"})
    assert resp.status_code == 200 and resp.get_json()["corrected"] is True


@pytest.mark.parametrize("who", OTHERS)
def test_the_rules_hide_a_draft_from_everyone_but_its_activist(report, people, who):
    draft = report("draft")
    user = _user(people, who)
    assert not can_read_submission(user, draft)
    assert readable_version(user, draft) is None
    assert not can_read_version(user, draft.current)
    assert not can_write_version(user, draft.current)
    assert (
        draft.id
        not in db.session.scalars(visible_submissions(user).with_only_columns(Submission.id)).all()
    )
    owner = _user(people, "owner")
    assert can_read_submission(owner, draft) and can_write_version(owner, draft.current)


def test_submitted_version_is_frozen_for_its_activist(report, people):
    submitted = report("submitted")
    owner, reviewer = _user(people, "owner"), _user(people, "reviewer")
    assert not can_write_version(owner, submitted.current)
    assert can_write_version(reviewer, submitted.current)


@pytest.mark.parametrize("who", ("reviewer", "committee"))
def test_a_revision_draft_is_hidden_behind_the_submitted_version(client, report, token_for, who):
    revising = report("revising")
    v1 = revising.versions[0]
    body = client.get(
        f"/api/v1/submissions/{revising.id}", headers=token_for(VIEWERS[who])
    ).get_json()
    assert body["version"] == 1 and V2_WORDS not in str(body)
    assert body["video"]["id"] == v1.video_id
    login(client, VIEWERS[who])
    video = client.get(f"/reviews/{revising.id}/video")
    assert video.status_code == 200 and not video.get_data().endswith(b"v2")
    video.close()
    page = client.get(f"/reviews/{revising.id}")
    assert page.status_code == 200 and V2_WORDS not in page.get_data(as_text=True)
    vtt = client.get(f"/reviews/{revising.id}/captions.vtt").get_data(as_text=True)
    assert V2_WORDS not in vtt and "我志愿加入中国共产党" in vtt
    segment = revising.current.video.segments[0]  # version 2's
    resp = client.post(f"/reviews/{revising.id}/segments/{segment.id}", json={"text": "改"})
    assert resp.status_code == 404
    compare = client.get(f"/reviews/{revising.id}/compare").get_data(as_text=True)
    assert V2_WORDS not in compare and "只有一个已提交的版本" in compare  # drafts are not compared


def test_the_activist_reads_the_revision_draft(client, report, token_for):
    revising = report("revising")
    body = client.get(f"/api/v1/submissions/{revising.id}", headers=token_for("a1")).get_json()
    assert body["version"] == 2 and V2_WORDS in body["video"]["transcript"]["text"]


@pytest.mark.parametrize("who", ("reviewer", "committee"))
def test_search_finds_no_draft_text(client, report, token_for, who):
    report("draft")
    headers = token_for(VIEWERS[who])
    # DRAFT_WORDS are in both the draft's transcript and its paper text
    found = client.get("/api/v1/search", query_string={"q": DRAFT_WORDS}, headers=headers)
    assert found.status_code == 200 and found.get_json()["results"] == []
