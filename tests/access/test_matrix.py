"""Every route in the url map × every role × a draft and a submitted report: who gets through.

Generated from app.url_map: a route (endpoint) missing from EXPECTED fails the test, so a new
route cannot be forgotten. Outcomes are coarse on purpose: OK means the request passed the
access rules (any answer but a login demand, 403 or 404; a 400 for the deliberately empty body
is fine), DENY means 403 or 404 (existence not revealed), LOGIN means a redirect to the login
page or a 401. Every non-static answer must also carry the security headers.
"""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import select

from review.extensions import db
from review.models import PaperFile
from review.services.exports.jobs import start_export
from tests.access.conftest import VIEWERS, login

OK, DENY, LOGIN = "ok", "deny", "login"
REFUSED = (LOGIN, DENY)  # anonymous: media and JSON endpoints answer 403 instead of a redirect
ANY = (OK, LOGIN, DENY)
ROLES = tuple(VIEWERS)  # anonymous, owner, same_branch, other_branch, reviewer, ...
STATES = ("draft", "submitted")
KINDS = {  # the role each viewer has
    "owner": "activist",
    "same_branch": "activist",
    "other_branch": "activist",
    "reviewer": "reviewer",
    "reviewer_other": "reviewer",
    "committee": "committee",
    "admin": "admin",
}


def public(role: str, state: str) -> str:
    return OK


def anything(role: str, state: str) -> tuple:
    return ANY


def any_user(role: str, state: str) -> str | tuple:
    return REFUSED if role == "anonymous" else OK


def roles(*allowed: str):
    def rule(role: str, state: str) -> str | tuple:
        if role == "anonymous":
            return REFUSED
        return OK if KINDS[role] in allowed else DENY

    return rule


def own_report(role: str, state: str) -> str | tuple:
    """Bound to the owner's submission, video, paper file or upload: the owner only."""
    return REFUSED if role == "anonymous" else OK if role == "owner" else DENY


def report_readers(*readers: str, owner: bool):
    """A submitted report's readers (and its owner when owner=True); a draft: the owner only."""

    def rule(role: str, state: str) -> str | tuple:
        if role == "anonymous":
            return REFUSED
        if role == "owner":
            return OK if owner else DENY
        return OK if state == "submitted" and role in readers else DENY

    return rule


def phrase_owner(role: str, state: str) -> str | tuple:
    """The world's phrase is r1's: only its owner shares or deletes it; others get 404/403."""
    return REFUSED if role == "anonymous" else OK if role == "reviewer" else DENY


ACTIVIST = roles("activist")
ADMIN = roles("admin")
COMMITTEE = roles("committee")
STAFF_READ = report_readers("reviewer", "committee", owner=False)

EXPECTED = {
    "static": public,
    "assets.static": public,  # versioned static files (review/assets.py)
    "health.healthz": public,
    "main.favicon": public,
    "health.scrape": public,  # from 127.0.0.1, METRICS_ALLOW
    "auth.login": public,
    "auth.logout": anything,  # anonymous: sent to the login page
    "api.create_session": public,
    "api.openapi": public,
    "api.upload_options": public,  # tus discovery
    "main.index": any_user,
    "auth.change_password": any_user,
    "auth.forgot_password": public,  # the same answer for every account (tests/web)
    "auth.reset_password": public,  # the signed link is the key; a bad one: 400
    "api.me": any_user,
    "api.change_password": any_user,
    "api.delete_session": any_user,
    "api.list_submissions": any_user,
    "api.get_submission": report_readers("reviewer", "committee", owner=True),
    "api.submit_submission": own_report,
    "api.put_paper_text": ACTIVIST,
    "api.create_upload": ACTIVIST,
    "api.show_upload": own_report,
    "api.append_upload": own_report,
    "api.terminate_upload": own_report,
    "api.override_upload": own_report,
    "api.search": roles("reviewer", "committee"),
    "api.export_csv": COMMITTEE,
    "api.export_xlsx": COMMITTEE,
    "api.export_zip": COMMITTEE,
    "api.assessment_sheet": report_readers("committee", owner=False),
    "activist.home": ACTIVIST,
    "activist.report": ACTIVIST,
    "activist.paper": ACTIVIST,
    "activist.upload_paper": ACTIVIST,
    "activist.remove_paper": ACTIVIST,
    "activist.save_paper_text": ACTIVIST,
    "activist.revise": ACTIVIST,
    "activist.submit": ACTIVIST,
    "activist.version": own_report,
    "activist.play_video": own_report,
    "activist.video_poster": own_report,
    "activist.paper_file": own_report,
    "reviews.index": roles("reviewer"),
    "reviews.next_ungraded": roles("reviewer"),
    "reviews.show": STAFF_READ,
    "reviews.compare": STAFF_READ,
    "reviews.video": STAFF_READ,
    "reviews.poster": STAFF_READ,
    "reviews.captions": STAFF_READ,
    "reviews.paper_page": STAFF_READ,
    "reviews.paper_file": report_readers("committee", owner=False),  # the original
    "reviews.save": STAFF_READ,
    "reviews.submit": STAFF_READ,
    "reviews.correct_segment": STAFF_READ,
    "reviews.undo_term_fix": STAFF_READ,
    "reviews.list_phrases": roles("reviewer"),
    "reviews.add_phrase": roles("reviewer"),  # the empty body: a 400 past the access rules
    "reviews.share_phrase": phrase_owner,
    "reviews.delete_phrase": phrase_owner,
    "search.index": roles("reviewer", "committee"),
    "search.analyses": STAFF_READ,
    "committee.dashboard": COMMITTEE,
    "committee.submissions": COMMITTEE,
    "committee.decide": report_readers("committee", owner=False),
    "committee.assessment": report_readers("committee", owner=False),
    "committee.release": COMMITTEE,
    "committee.confirm_release": COMMITTEE,
    "committee.withdraw": report_readers("committee", owner=False),
    "committee.agree": COMMITTEE,
    "committee.period_settings": COMMITTEE,
    "committee.create_export": COMMITTEE,
    "committee.export": COMMITTEE,
    "committee.export_progress": COMMITTEE,
    "committee.export_download": COMMITTEE,
    "committee.audit_trail": COMMITTEE,
    "admin.index": ADMIN,
    "admin.users": ADMIN,
    "admin.set_active": ADMIN,
    "admin.reset_password": ADMIN,
    "admin.branches": ADMIN,
    "admin.assign": ADMIN,
    "admin.roster_upload": ADMIN,
    "admin.roster_template": ADMIN,
    "admin.roster_passwords": ADMIN,  # and only with the admin's own one-time token
    "admin.periods": ADMIN,
    "admin.update_period": ADMIN,
    "admin.rubric": ADMIN,
    "admin.queue": ADMIN,
    "admin.retry": ADMIN,
    "admin.branch": ADMIN,
    "admin.test_bot": ADMIN,
    "admin.set_email": ADMIN,
    "admin.retry_notification": ADMIN,
    "notifications.index": any_user,
    "notifications.read": own_report,  # the owner's message
    "notifications.read_all": any_user,
    "notifications.settings": any_user,
    "api.list_notifications": any_user,
    "api.read_notification": own_report,
    "api.read_all_notifications": any_user,
    "admin.lexicon": ADMIN,
    "admin.remove_term": ADMIN,
}


def _methods(rule) -> list[str]:
    methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
    return methods or ["OPTIONS"]


def test_every_route_has_an_entry(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(EXPECTED))
    assert not missing, f"add these endpoints to EXPECTED in {__file__}: {missing}"
    assert not set(EXPECTED) - endpoints, "EXPECTED names endpoints that no longer exist"


def _world(app, client, report, token_for, state: str) -> dict:
    submission = report(state)
    version = submission.current
    paper = db.session.scalar(
        select(PaperFile).where(PaperFile.version_id == version.id, PaperFile.kind == "pdf")
    )
    from datetime import date, timedelta

    from review.services import periods

    later = periods.open_period(  # a period with nothing frozen, for an upload of the owner's
        "2027年第一季度", date.today() - timedelta(days=1), date.today() + timedelta(days=60)
    )
    name = base64.b64encode(b"clip.mp4").decode()
    period = base64.b64encode(str(later.id).encode()).decode()
    created = client.post(
        "/api/v1/uploads/",
        headers={
            **token_for("a1"),
            "Tus-Resumable": "1.0.0",
            "Upload-Length": "100",
            "Upload-Metadata": f"filename {name},period {period}",
        },
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    job = start_export(people_id(world_user="c1"), "csv", submission.period_id, None, None)
    from review.models import Notification
    from review.services.notifications import notify

    notify(
        db.session,
        recipient_id=submission.activist_id,
        kind="result_released",
        key="m",
        title="审阅结果已发布",
        body="通过",
        link="/my/",
    )
    db.session.commit()
    message = db.session.scalar(select(Notification.id))
    from review.services.phrases import add_phrase

    phrase = add_phrase(people_id(world_user="r1"), "表述真诚", "入党动机")
    return {
        "submission_id": submission.id,
        "number": 1,
        "file_id": paper.id,
        "segment_id": version.video.segments[0].id,
        "period_id": submission.period_id,
        "video_id": version.video_id,
        "user_id": submission.activist_id,
        "upload_id": created.headers["Location"].rstrip("/").rsplit("/", 1)[-1],
        "job_id": job,
        "notification_id": message,
        "branch_id": submission.branch_id,
        "filename": "css/app.css",
        "token": "not-a-signed-link",
        "version": "0",
        "phrase_id": phrase.id,
    }


def people_id(world_user: str) -> int:
    from review.models import User

    return db.session.scalar(select(User.id).where(User.username == world_user))


def _outcome(resp) -> str:
    if resp.status_code == 401 or (resp.status_code == 302 and resp.location.startswith("/login")):
        return LOGIN
    if resp.status_code in (403, 404):
        return DENY
    return OK


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_route_role_matrix(app, client, people, report, token_for, role, state):
    world = _world(app, client, report, token_for, state)
    client.post("/logout")
    bearer = token_for(VIEWERS[role]) if role != "anonymous" else {}  # the API's way in
    api = app.test_client()  # no cookie: a script with its bearer token
    if role != "anonymous":
        login(client, VIEWERS[role])  # once: the login form is rate limited
    wrong = []
    # they delete the world's phrase, end the token and the session
    last = ("reviews.delete_phrase", "api.delete_session", "auth.logout")
    order = {endpoint: n for n, endpoint in enumerate(last, start=1)}
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (order.get(r.endpoint, 0), r.rule))
    for rule in rules:
        url = app.url_map.bind("localhost").build(
            rule.endpoint, {a: world[a] for a in rule.arguments}, force_external=False
        )
        for method in _methods(rule):
            via, headers = (api, dict(bearer)) if url.startswith("/api/") else (client, {})
            body = {} if method not in ("GET", "OPTIONS") else None
            kwargs: dict = {"json": body}
            if url.startswith("/api/v1/uploads/"):  # tus checks its protocol before the owner
                headers.update({"Tus-Resumable": "1.0.0", "Upload-Length": "100"})
                if rule.endpoint == "api.create_upload":
                    kwargs = {}  # creation without a body
                if rule.endpoint in ("api.append_upload", "api.override_upload"):
                    headers["Upload-Offset"] = "0"
                    headers["X-HTTP-Method-Override"] = "PATCH"
                    kwargs = {"data": b"", "content_type": "application/offset+octet-stream"}
            resp = via.open(url, method=method, headers=headers, **kwargs)
            got, want = _outcome(resp), EXPECTED[rule.endpoint](role, state)
            if got not in (want if isinstance(want, tuple) else (want,)):
                wrong.append(f"{method} {url}: {resp.status_code} ({got}), expected {want}")
            if rule.endpoint not in ("static", "assets.static") and method != "OPTIONS":
                csp = resp.headers.get("Content-Security-Policy", "")
                if "frame-ancestors 'none'" not in csp or "no-store" not in resp.headers.get(
                    "Cache-Control", ""
                ):
                    wrong.append(f"{method} {url}: security headers missing")
            resp.close()
    assert not wrong, f"{role} / {state}:\n" + "\n".join(wrong)
