"""GET /api/v1/submissions pages with a cursor instead of stopping silently at 500 rows."""

from __future__ import annotations

import pytest

from tests.reviews.conftest import make_submission, more_people  # noqa: F401


@pytest.fixture
def three(more_people, make_submission):  # noqa: F811  (fixtures imported above)
    """Three submitted reports of 一支部, in id order."""
    return sorted(make_submission(name) for name in ("activist", "activist_c", "activist_d"))


def test_pages_follow_the_cursor_to_the_end(client, three, token_for):
    headers = token_for("r1")
    seen, url = [], "/api/v1/submissions?limit=2"
    pages = 0
    while url:
        body = client.get(url, headers=headers).get_json()
        seen += [s["id"] for s in body["submissions"]]
        pages += 1
        url = body["next_cursor"] and f"/api/v1/submissions?limit=2&cursor={body['next_cursor']}"
    assert seen == three and pages == 2


def test_without_limit_one_page_holds_them_all(client, three, token_for):
    body = client.get("/api/v1/submissions", headers=token_for("c1")).get_json()
    assert [s["id"] for s in body["submissions"]] == three and body["next_cursor"] is None


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("limit=0", "bad_limit"),
        ("limit=501", "bad_limit"),
        ("cursor=not-a-cursor", "bad_cursor"),
        ("cursor=WyJ4Il0", "bad_cursor"),  # a well-formed list of the wrong type
    ],
)
def test_a_bad_page_request_is_refused_in_chinese(client, three, token_for, query, code):
    resp = client.get(f"/api/v1/submissions?{query}", headers=token_for("r1"))
    error = resp.get_json()["error"]
    assert resp.status_code == 400 and error["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])


def test_a_cursor_does_not_widen_what_the_caller_sees(client, three, token_for):
    """r2 reviews another branch: a cursor from r1's pages shows r2 nothing of 一支部."""
    first = client.get("/api/v1/submissions?limit=1", headers=token_for("r1")).get_json()
    resp = client.get(
        f"/api/v1/submissions?cursor={first['next_cursor']}", headers=token_for("r2")
    ).get_json()
    assert not set(three) & {s["id"] for s in resp["submissions"]}
