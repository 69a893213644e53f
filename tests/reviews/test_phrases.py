"""The comment library: who sees, shares and deletes which phrases (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from review.exceptions import NotFoundError, PermissionDeniedError, ValidationError
from review.extensions import db
from review.models import Branch
from review.services import phrases
from tests.reviews.conftest import login


def _branch(name: str) -> int:
    return db.session.scalar(db.select(Branch.id).where(Branch.name == name))


def _texts(user_id: int) -> list[str]:
    return sorted(p.text for p in phrases.list_phrases(user_id))


def test_a_reviewer_sees_their_own_and_their_branches_shared_phrases_only(more_people):
    r1, r2, r3 = (more_people[k].id for k in ("reviewer", "reviewer_b", "reviewer_c"))
    one, two = _branch("一支部"), _branch("二支部")
    phrases.add_phrase(r1, "r1 私用", "入党动机")
    phrases.add_phrase(r1, "r1 共享给一支部", "入党动机", branch_id=one)
    phrases.add_phrase(r2, "r2 私用")
    phrases.add_phrase(r2, "r2 共享给二支部", branch_id=two)
    phrases.add_phrase(r3, "r3 共享给一支部", branch_id=one)
    assert _texts(r1) == ["r1 共享给一支部", "r1 私用", "r3 共享给一支部"]
    assert _texts(r2) == ["r2 共享给二支部", "r2 私用"]  # 一支部's are not 二支部's reviewer's
    assert _texts(r3) == ["r1 共享给一支部", "r3 共享给一支部"]  # r1's private one stays r1's
    # r4 reviews both branches: every shared phrase, no private one
    assert _texts(more_people["reviewer_d"].id) == [
        "r1 共享给一支部",
        "r2 共享给二支部",
        "r3 共享给一支部",
    ]
    listed = {p.text: p for p in phrases.list_phrases(r3)}
    assert listed["r1 共享给一支部"].mine is False and listed["r1 共享给一支部"].branch == "一支部"
    assert listed["r3 共享给一支部"].mine is True


def test_only_the_owner_shares_or_deletes_and_only_with_their_own_branches(more_people):
    r1, r3 = more_people["reviewer"].id, more_people["reviewer_c"].id
    mine = phrases.add_phrase(r1, "联系实际较好", "对党的认识")
    with pytest.raises(PermissionDeniedError):
        phrases.share_phrase(r1, mine.id, _branch("二支部"))  # r1 does not review 二支部
    with pytest.raises(PermissionDeniedError):
        phrases.add_phrase(r1, "越权共享", branch_id=_branch("二支部"))
    with pytest.raises(NotFoundError):
        phrases.share_phrase(r3, mine.id, _branch("一支部"))  # not r3's
    with pytest.raises(NotFoundError):
        phrases.delete_phrase(r3, mine.id)
    phrases.share_phrase(r1, mine.id, _branch("一支部"))
    assert "联系实际较好" in _texts(r3)
    phrases.share_phrase(r1, mine.id, None)
    assert "联系实际较好" not in _texts(r3)
    phrases.delete_phrase(r1, mine.id)
    assert _texts(r1) == []


def test_phrases_are_for_reviewers_and_bounded(people):
    r1 = people["reviewer"].id
    for who in ("activist", "committee", "admin"):
        with pytest.raises(PermissionDeniedError):
            phrases.list_phrases(people[who].id)
    with pytest.raises(ValidationError):
        phrases.add_phrase(r1, "   ")
    with pytest.raises(ValidationError):
        phrases.add_phrase(r1, "长" * (phrases.MAX_TEXT + 1))
    first = phrases.add_phrase(r1, "  表述真诚  ", "入党动机")
    again = phrases.add_phrase(r1, "表述真诚", "入党动机")  # saved twice: kept once
    assert first.id == again.id and first.text == "表述真诚"
    assert len(phrases.list_phrases(r1)) == 1


def test_the_page_api_answers_json_and_refuses_others(people, client):
    login(client, "r1")
    resp = client.post("/reviews/phrases", json={"text": "态度端正", "criterion": "入党动机"})
    assert resp.status_code == 201, resp.get_json()
    pid = resp.get_json()["id"]
    assert client.get("/reviews/phrases").get_json()["phrases"][0]["text"] == "态度端正"
    bad = client.post("/reviews/phrases", json={"text": ""})
    assert bad.status_code == 400 and "不能为空" in bad.get_json()["error"]["message"]
    assert client.post("/reviews/phrases", json=["x"]).status_code == 400
    other = client.post(f"/reviews/phrases/{pid}/share", json={"branch_id": _branch("二支部")})
    assert other.status_code == 403 and other.get_json()["error"]["message"]
    login(client, "r2")
    gone = client.delete(f"/reviews/phrases/{pid}")
    assert gone.status_code == 404 and "找不到" in gone.get_json()["error"]["message"]
    assert client.get("/reviews/phrases").get_json()["phrases"] == []
    login(client, "c1")
    assert client.get("/reviews/phrases").status_code == 403
    login(client, "r1")
    assert client.delete(f"/reviews/phrases/{pid}").status_code == 204
