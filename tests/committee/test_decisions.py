"""Agreed marks, their history, release in batches and what activists may see."""

from __future__ import annotations

import pytest

from review.exceptions import ConflictError, ValidationError
from review.extensions import db
from review.models import AuditEvent, DecisionChange
from review.services import dashboard, decisions, releases


def _marks(submission, points):
    return {c.id: p for c, p in zip(submission.period.rubric_version.criteria, points, strict=True)}


def test_set_decision_keeps_history(marked):
    sub, c1 = marked["sub1"], marked["committee"]
    decisions.set_decision(sub.id, c1.id, _marks(sub, [14, 13, 12, 14, 15]), "pass", "继续努力")
    decisions.set_decision(
        sub.id, c1.id, _marks(sub, [14, 13, 12, 14, 16]), "revise", "请补充", redo="paper"
    )
    changes = decisions.history(sub.id)
    assert len(changes) == 2
    newest = changes[0]
    assert newest.before["outcome"] == "pass" and newest.after["outcome"] == "revise"
    crit = str(sub.period.rubric_version.criteria[-1].id)
    assert newest.before["marks"][crit] == 15 and newest.after["marks"][crit] == 16
    assert newest.changed_by == c1.id
    # saving the same values again records nothing new
    decisions.set_decision(
        sub.id, c1.id, _marks(sub, [14, 13, 12, 14, 16]), "revise", "请补充", redo="paper"
    )
    assert db.session.query(DecisionChange).count() == 2


@pytest.mark.parametrize(
    "points, outcome",
    [([21, 0, 0, 0, 0], "pass"), ([-1, 0, 0, 0, 0], "pass"), ([1, 1, 1, 1, 1], "maybe")],
)
def test_set_decision_refuses_bad_input(marked, points, outcome):
    sub = marked["sub1"]
    with pytest.raises(ValidationError) as err:
        decisions.set_decision(sub.id, marked["committee"].id, _marks(sub, points), outcome)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(err.value.message))


def test_release_rules(marked, client, auth):
    sub1, sub2, c1 = marked["sub1"], marked["sub2"], marked["committee"]
    decisions.set_decision(sub1.id, c1.id, _marks(sub1, [14, 13, 12, 14, 15]), "pass", "很好")
    assert decisions.released_result(sub1.id) is None  # decided, not released

    auth.login("a1")
    page = client.get("/", follow_redirects=True)
    assert page.status_code == 200 and "很好" not in page.get_data(as_text=True)
    auth.logout()

    result = releases.release(c1.id, marked["period"].id, branch_id=sub1.branch_id)
    assert result.released == [sub1.id] and result.skipped == []
    shown = decisions.released_result(sub1.id)
    assert shown.outcome == "pass" and shown.total == 68 and shown.comment == "很好"
    # only comments reviewers marked visible, in video order
    assert [c.text for c in shown.comments] == ["开头声音偏小", "“拥护党的纲领”一句语气坚定"]
    db.session.refresh(sub1)
    assert sub1.state == "released"
    # the other branch was not released and has no decision
    assert decisions.released_result(sub2.id) is None
    skipped = releases.release(c1.id, marked["period"].id)
    assert [sid for sid, _ in skipped.skipped] == [sub2.id] and skipped.released == []
    with pytest.raises(ConflictError):
        decisions.set_decision(sub1.id, c1.id, _marks(sub1, [1, 1, 1, 1, 1]), "fail")
    assert db.session.query(AuditEvent).filter_by(action="release").count() == 2


def test_revise_outcome_sends_back(marked):
    sub2, c1 = marked["sub2"], marked["committee"]
    decisions.set_decision(
        sub2.id, c1.id, _marks(sub2, [10] * 5), "revise", "请重录誓词", redo="video"
    )
    releases.release(c1.id, marked["period"].id, submission_ids=[sub2.id])
    db.session.refresh(sub2)
    assert sub2.state == "needs_revision"


def test_dashboard_figures(marked):
    from tests.committee.conftest import make_submission

    period = marked["period"]
    from review.services import accounts
    from tests.fixtures.app import PASSWORD

    late = accounts.create_user("a3", "孙强", "activist", PASSWORD, ["一支部"])
    make_submission(late, period, days_ago=20, state="submitted")
    broken = accounts.create_user("a4", "周敏", "activist", PASSWORD, ["二支部"])
    make_submission(broken, period, state="submitted", video_state="failed")
    accounts.create_user("a5", "吴刚", "activist", PASSWORD, ["二支部"])
    rows = {r.branch.name: r for r in dashboard.overview(period.id)}
    one, two = rows["一支部"], rows["二支部"]
    assert one.members == 2 and one.counts == {"in_review": 1, "submitted": 1}
    assert [s.activist.username for s in one.overdue] == ["a3"]
    assert [u.username for u in two.missing] == ["a5"]
    assert [s.activist.username for s in two.failed] == ["a4"]
    found = dashboard.disagreements(period.id)
    assert [d.submission.id for d in found] == [marked["sub1"].id]
    assert found[0].totals == [85, 50] and found[0].difference == 35
    assert dashboard.disagreements(period.id, threshold=0.5) == []


def test_activists_see_only_their_own(marked, client, auth, token_for):
    sub1, c1 = marked["sub1"], marked["committee"]
    decisions.set_decision(sub1.id, c1.id, _marks(sub1, [14, 13, 12, 14, 15]), "pass", "很好")
    releases.release(c1.id, marked["period"].id)
    other = token_for("a2")
    assert client.get(f"/api/v1/submissions/{sub1.id}", headers=other).status_code == 404
    assert (
        client.get(f"/api/v1/submissions/{sub1.id}/assessment.pdf", headers=other).status_code
        == 403
    )
    auth.login("a2")
    assert client.get(f"/committee/submissions/{sub1.id}").status_code == 403


def test_decide_page_validates_and_stays_on_site(marked, client, auth):
    sub1 = marked["sub1"]
    crit = sub1.period.rubric_version.criteria[0]
    auth.login("c1")
    page = client.get(f"/committee/submissions/{sub1.id}").get_data(as_text=True)
    assert "王老师" in page and "刘老师" in page and "态度端正，内容充实。" in page
    bad = client.post(
        f"/committee/submissions/{sub1.id}", data={f"mark-{crit.id}": "十八"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "不是数字" in bad
    resp = client.post(
        f"/committee/submissions/{sub1.id}",
        data={f"mark-{crit.id}": "15", "outcome": "pass", "next": "//evil.example/steal"},
    )
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/committee/")
    none = client.post(
        f"/committee/periods/{marked['period'].id}/release",
        data={"scope": "selection"},
        follow_redirects=True,
    )
    assert "请先勾选要发布的汇报" in none.get_data(as_text=True)
    partial = client.post(
        f"/committee/periods/{marked['period'].id}/release",
        data={"scope": "period"},
        follow_redirects=True,
    )
    assert "尚未认定全部分数和结论" in partial.get_data(as_text=True)


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\\evil.example", "//evil.example"])
def test_decide_next_uses_the_safe_redirect_rule(marked, client, auth, target):
    sub1 = marked["sub1"]
    crit = sub1.period.rubric_version.criteria[0]
    auth.login("c1")
    page = client.get(f"/committee/submissions/{sub1.id}", query_string={"next": target})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<input type="hidden" name="next" value="">' in html
    assert '<a href="/committee/periods/' in html  # the back link is the default one
    resp = client.post(
        f"/committee/submissions/{sub1.id}",
        data={f"mark-{crit.id}": "15", "outcome": "pass", "next": target},
    )
    assert resp.status_code == 302
    assert resp.headers["Location"] == f"/committee/submissions/{sub1.id}"


def test_change_log_shows_a_first_value_as_new(marked, client, auth):
    """The first decision's log line reads "— → 68", not "0 → 68"."""
    sub1, c1 = marked["sub1"], marked["committee"]
    decisions.set_decision(sub1.id, c1.id, _marks(sub1, [14, 13, 12, 14, 15]), "pass", "很好")
    decisions.set_decision(sub1.id, c1.id, _marks(sub1, [14, 13, 12, 14, 16]), "pass", "很好")
    auth.login("c1")
    html = client.get(f"/committee/submissions/{sub1.id}").get_data(as_text=True)
    assert "认定总分：— → 68" in html and "认定总分：68 → 69" in html
    assert "认定总分：0 → 68" not in html
