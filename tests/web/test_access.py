"""Who may open what: every page and API route against every role, and the submission helpers."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask_login import AnonymousUserMixin
from werkzeug.exceptions import NotFound

from review.access import (
    can_read_submission,
    get_submission_or_404,
    visible_submissions,
)
from review.extensions import db
from review.services import accounts
from review.services.submissions import get_or_create_draft
from tests.fixtures.app import PASSWORD

ROLES = ("anonymous", "activist", "reviewer", "committee", "admin")
USERNAMES = {"activist": "a1", "reviewer": "r1", "committee": "c1", "admin": "admin"}
LOGIN = "login"  # anonymous page visit: 302 to /login?next=...
OK, BAD_REQUEST, UNAUTHORIZED, FORBIDDEN = 200, 400, 401, 403
CJK = re.compile(r"[\u4e00-\u9fff]")

# Each GET route without arguments, and what each role gets. A new route must be added here
# (test_table_covers_every_route fails otherwise). Redirects are written as their target.
ADMIN_ONLY = {
    "anonymous": LOGIN,
    "activist": FORBIDDEN,
    "reviewer": FORBIDDEN,
    "committee": FORBIDDEN,
    "admin": OK,
}
ACCESS = {
    "/": {
        "anonymous": LOGIN,
        "activist": "/my/",
        "reviewer": "/reviews/",
        "committee": "/committee/",
        "admin": "/admin/",
    },
    "/my/": {
        "anonymous": LOGIN,
        "activist": OK,
        "reviewer": FORBIDDEN,
        "committee": FORBIDDEN,
        "admin": FORBIDDEN,
    },
    "/reviews/": {
        "anonymous": LOGIN,
        "activist": FORBIDDEN,
        "reviewer": OK,
        "committee": FORBIDDEN,
        "admin": FORBIDDEN,
    },
    # Nothing to grade in the fixtures, so the reviewer is sent back to the queue.
    "/reviews/next": {
        "anonymous": LOGIN,
        "activist": FORBIDDEN,
        "reviewer": "/reviews/",
        "committee": FORBIDDEN,
        "admin": FORBIDDEN,
    },
    "/committee/": {
        "anonymous": LOGIN,
        "activist": FORBIDDEN,
        "reviewer": FORBIDDEN,
        "committee": OK,
        "admin": FORBIDDEN,  # admins manage; they read no report
    },
    "/committee/audit": {
        "anonymous": LOGIN,
        "activist": FORBIDDEN,
        "reviewer": FORBIDDEN,
        "committee": OK,
        "admin": FORBIDDEN,
    },
    "/admin/": ADMIN_ONLY,
    "/admin/branches": ADMIN_ONLY,
    "/admin/users": ADMIN_ONLY,
    "/admin/roster": ADMIN_ONLY,
    "/admin/roster/template.xlsx": ADMIN_ONLY,
    # without its one-time token: back to the roster page, nothing downloaded
    "/admin/roster/passwords.csv": {**ADMIN_ONLY, "admin": "/admin/roster"},
    "/admin/periods": ADMIN_ONLY,
    "/admin/queue": ADMIN_ONLY,
    "/admin/lexicon": ADMIN_ONLY,
    "/search/": {
        "anonymous": LOGIN,
        "activist": FORBIDDEN,
        "reviewer": OK,
        "committee": OK,
        "admin": FORBIDDEN,
    },
    # Allowed roles reach the handler, which wants a query.
    "/api/v1/search": {
        "anonymous": UNAUTHORIZED,
        "activist": FORBIDDEN,
        "reviewer": BAD_REQUEST,
        "committee": BAD_REQUEST,
        "admin": FORBIDDEN,
    },
    # The comment library of the review page (JSON): reviewers only.
    "/reviews/phrases": {
        "anonymous": LOGIN,
        "activist": FORBIDDEN,
        "reviewer": OK,
        "committee": FORBIDDEN,
        "admin": FORBIDDEN,
    },
    "/password": {"anonymous": LOGIN, "activist": OK, "reviewer": OK, "committee": OK, "admin": OK},
    "/messages/": {
        "anonymous": LOGIN,
        "activist": OK,
        "reviewer": OK,
        "committee": OK,
        "admin": OK,
    },
    "/settings": {"anonymous": LOGIN, "activist": OK, "reviewer": OK, "committee": OK, "admin": OK},
    "/api/v1/notifications": {
        "anonymous": UNAUTHORIZED,
        "activist": OK,
        "reviewer": OK,
        "committee": OK,
        "admin": OK,
    },
    # Anyone may ask for a reset link (tests/web/test_password_reset.py); /password/reset/<token>
    # takes an argument: tests/access/test_matrix.py and test_password_reset cover it.
    "/password/forgot": {
        "anonymous": OK,
        "activist": OK,
        "reviewer": OK,
        "committee": OK,
        "admin": OK,
    },
    "/api/v1/me": {
        "anonymous": UNAUTHORIZED,
        "activist": OK,
        "reviewer": OK,
        "committee": OK,
        "admin": OK,
    },
    "/api/v1/submissions": {
        "anonymous": UNAUTHORIZED,
        "activist": OK,
        "reviewer": OK,
        "committee": OK,
        "admin": OK,
    },
}
# Routes open to everyone, tested elsewhere (test_auth, test_openapi).
# /healthz needs no login; /metrics is limited by network or token: tests/health covers both.
PUBLIC = {
    "static",
    "main.favicon",
    "assets.static",
    "auth.login",
    "auth.logout",
    "api.openapi",
    "health.healthz",
    "health.scrape",
}
CASES = [(path, role, expected) for path, row in ACCESS.items() for role, expected in row.items()]


def test_table_covers_every_route(app):
    routes = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and rule.endpoint not in PUBLIC
    }
    missing = routes - set(ACCESS)
    assert not missing, f"add these routes to ACCESS in {__file__}: {sorted(missing)}"
    assert set(ACCESS) <= routes, "ACCESS lists routes that no longer exist"


def test_table_covers_every_role():
    for path, row in ACCESS.items():
        assert set(row) == set(ROLES), path


@pytest.mark.parametrize(("path", "role", "expected"), CASES, ids=[f"{p}-{r}" for p, r, _ in CASES])
def test_access(client, path, role, expected):
    if role != "anonymous":
        assert (
            client.post(
                "/login", data={"username": USERNAMES[role], "password": PASSWORD}
            ).status_code
            == 302
        )
    resp = client.get(path)
    if expected == LOGIN:
        assert resp.status_code == 302
        assert resp.location.startswith("/login?next=")
    elif isinstance(expected, str):
        assert resp.status_code == 302 and resp.location == expected
    else:
        assert resp.status_code == expected, resp.get_data(as_text=True)[:300]
    if path.startswith("/api/"):
        assert resp.is_json
        body = resp.get_json()
        if expected == UNAUTHORIZED:
            assert body == {"error": {"code": "unauthorized", "message": "请先登录。"}}
        elif expected == FORBIDDEN:
            assert body["error"]["code"] == "forbidden" and CJK.search(body["error"]["message"])
        elif path == "/api/v1/me":
            assert body["username"] == USERNAMES[role]
    elif expected == FORBIDDEN:
        assert "您没有权限执行此操作。" in resp.get_data(as_text=True)


@pytest.mark.parametrize("role", ROLES[1:])
def test_api_with_bearer_token(client, token_for, role):
    resp = client.get("/api/v1/me", headers=token_for(USERNAMES[role]))
    assert resp.status_code == 200 and resp.get_json()["role"] == role


def test_bearer_token_does_not_open_pages(client, token_for):
    headers = token_for("admin")
    resp = client.get("/admin/", headers=headers)
    assert resp.status_code == 302 and resp.location.startswith("/login")


def test_forbidden_api_page_in_json(client):
    resp = client.get("/api/v1/me", headers={"Authorization": "Bearer nope"})
    assert resp.status_code == 401 and resp.is_json


def test_shared_client_does_not_leak_the_user(app, people):
    logged_in, anonymous = app.test_client(), app.test_client()
    logged_in.post("/login", data={"username": "a1", "password": PASSWORD})
    assert anonymous.get("/password").status_code == 302
    assert logged_in.get("/password").status_code == 200


def test_token_does_not_leak_to_later_requests(client, token_for):
    assert client.get("/api/v1/me", headers=token_for("a1")).status_code == 200
    assert client.get("/api/v1/me").status_code == 401


# -- the submission helpers -----------------------------------------------------------------


@pytest.fixture
def submissions(people):
    """A submitted report of a1 (一支部) and one of a2 (二支部)."""
    period = people["period"].id
    made = {}
    for name, who in (("a1", "activist"), ("a2", "activist_b")):
        version = get_or_create_draft(people[who].id, period)
        version.submitted_at = datetime.now(UTC)
        version.submission.state = "submitted"
        made[name] = version.submission
    db.session.commit()
    return made


READABLE = {
    "activist": {"a1"},
    "activist_b": {"a2"},
    "reviewer": {"a1"},
    "reviewer_b": {"a2"},
    "committee": {"a1", "a2"},
    "admin": set(),  # admins manage; they read no report
}


@pytest.mark.parametrize(("who", "readable"), READABLE.items())
def test_visible_submissions(people, submissions, who, readable):
    user = people[who]
    ids = set(
        db.session.scalars(
            visible_submissions(user).with_only_columns(submissions["a1"].__class__.id)
        )
    )
    assert ids == {submissions[name].id for name in readable}


@pytest.mark.parametrize(("who", "readable"), READABLE.items())
def test_can_read_submission(people, submissions, who, readable):
    for name, submission in submissions.items():
        assert can_read_submission(people[who], submission) is (name in readable), name


@pytest.mark.parametrize(("who", "readable"), READABLE.items())
def test_get_submission_or_404(people, submissions, who, readable):
    for name, submission in submissions.items():
        if name in readable:
            assert get_submission_or_404(submission.id, people[who]) is submission
        else:
            with pytest.raises(NotFound):
                get_submission_or_404(submission.id, people[who])


def test_get_submission_or_404_missing_id(people, submissions):
    with pytest.raises(NotFound):
        get_submission_or_404(999999, people["committee"])


def test_get_submission_or_404_anonymous(people, submissions):
    with pytest.raises(NotFound):
        get_submission_or_404(submissions["a1"].id, AnonymousUserMixin())


def test_get_submission_or_404_uses_current_user(make_app, people, submissions):
    from flask_login import login_user

    app = make_app()
    with app.test_request_context():
        login_user(db.session.get(type(people["reviewer"]), people["reviewer"].id))
        assert get_submission_or_404(submissions["a1"].id).id == submissions["a1"].id
        with pytest.raises(NotFound):
            get_submission_or_404(submissions["a2"].id)


def test_visible_submissions_keeps_given_query(people, submissions):
    from review.models import Submission

    stmt = db.select(Submission).where(Submission.state == "draft")
    assert list(db.session.scalars(visible_submissions(people["committee"], stmt))) == []


def test_reviewer_without_branches_sees_nothing(people, submissions):
    lonely = accounts.create_user("r3", "孙老师", "reviewer", PASSWORD)
    assert list(db.session.scalars(visible_submissions(lonely))) == []
    assert not any(can_read_submission(lonely, s) for s in submissions.values())


def test_reviewer_of_two_branches_sees_both(people, submissions):
    both = accounts.create_user("r4", "周老师", "reviewer", PASSWORD, ["一支部", "二支部"])
    assert {s.id for s in db.session.scalars(visible_submissions(both))} == {
        s.id for s in submissions.values()
    }


@pytest.fixture
def revising(people, submissions):
    """a1's version 1 submitted and sent back (需修改); version 2 a draft with unsent words."""
    submission = submissions["a1"]
    v1 = submission.current
    v1.paper_kind, v1.paper_text = "text", "第一版的文字。"
    submission.state = "needs_revision"
    db.session.commit()
    v2 = get_or_create_draft(people["activist"].id, people["period"].id)
    v2.paper_kind, v2.paper_text = "text", "第一版的文字。第二版尚未提交的秘密。"
    db.session.commit()
    return submission


COMPARE = {
    "anonymous": LOGIN,
    "activist": FORBIDDEN,
    "reviewer": OK,
    "committee": OK,
    "admin": FORBIDDEN,
}


@pytest.mark.parametrize("role", ROLES)
def test_compare_versions_route(client, revising, role):
    if role != "anonymous":
        client.post("/login", data={"username": USERNAMES[role], "password": PASSWORD})
    resp = client.get(f"/reviews/{revising.id}/compare")
    if COMPARE[role] == LOGIN:
        assert resp.status_code == 302 and resp.location.startswith("/login?next=")
        return
    assert resp.status_code == COMPARE[role]
    html = resp.get_data(as_text=True)
    assert "尚未提交的秘密" not in html  # the draft is its activist's alone
    if resp.status_code == OK:
        assert "只有一个已提交的版本" in html


def test_compare_versions_route_other_branch_and_after_submission(client, people, revising):
    client.post("/login", data={"username": "r2", "password": PASSWORD})
    assert client.get(f"/reviews/{revising.id}/compare").status_code == 404
    client.post("/logout")
    revising.current.submitted_at = datetime.now(UTC)
    revising.state = "submitted"
    db.session.commit()
    client.post("/login", data={"username": "r1", "password": PASSWORD})
    html = client.get(f"/reviews/{revising.id}/compare").get_data(as_text=True)
    assert "<ins>第二版尚未提交的秘密。</ins>" in html and "第 1 版" in html and "第 2 版" in html


# -- the committee's release routes (they take a period or submission id) -------------------
RELEASE_ROUTES = {  # (method, path template): what each role gets; a redirect back counts OK
    ("GET", "/committee/periods/{period}/submissions"): "committee",
    ("GET", "/committee/periods/{period}/release?scope=period"): "committee",
    ("POST", "/committee/periods/{period}/release"): "committee",
    ("POST", "/committee/periods/{period}/agree"): "committee",
    ("POST", "/committee/periods/{period}/settings"): "committee",
    ("POST", "/committee/submissions/{submission}/withdraw"): "committee",
}
RELEASE_CASES = [(m, p, role) for (m, p) in RELEASE_ROUTES for role in ROLES]


@pytest.mark.parametrize(
    ("method", "path", "role"), RELEASE_CASES, ids=[f"{m} {p}-{r}" for m, p, r in RELEASE_CASES]
)
def test_release_routes(client, people, submissions, method, path, role):
    if role != "anonymous":
        client.post("/login", data={"username": USERNAMES[role], "password": PASSWORD})
    url = path.format(period=people["period"].id, submission=submissions["a1"].id)
    resp = client.open(url, method=method, data={})
    if role == "anonymous":
        assert resp.status_code == 302 and resp.location.startswith("/login?next=")
    elif role == RELEASE_ROUTES[(method, path)]:
        assert resp.status_code in (200, 302), resp.get_data(as_text=True)[:300]
        if resp.status_code == 302:
            assert resp.location.startswith("/committee/")
    else:
        assert resp.status_code == FORBIDDEN
        assert "您没有权限执行此操作。" in resp.get_data(as_text=True)
