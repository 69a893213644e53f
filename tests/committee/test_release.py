"""Releasing: what the activist sees (per period), confirmed counts, withdrawal, bulk agreement."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from review.exceptions import ConflictError, ValidationError
from review.extensions import db
from review.models import AuditEvent, Decision, Notification, Review, Score
from review.services import accounts, agreement, decisions, periods, releases
from review.services.feedback import rules_for
from review.services.submissions import released_feedback
from tests.committee.conftest import make_review, make_submission
from tests.fixtures.app import PASSWORD

NOTE = "动机表述具体，联系了志愿服务经历。"


def _marks(submission, points):
    return {c.id: p for c, p in zip(submission.period.rubric_version.criteria, points, strict=True)}


def _decide_and_release(marked, outcome="pass"):
    sub1, c1 = marked["sub1"], marked["committee"]
    decisions.set_decision(sub1.id, c1.id, _marks(sub1, [14, 13, 12, 14, 15]), outcome, "很好")
    releases.release(c1.id, marked["period"].id, submission_ids=[sub1.id])
    return sub1


def _settings(period, c1, mode="scores", **kw):
    periods.update_committee_settings(
        period.id,
        c1.id,
        feedback_mode=mode,
        disagreement_percent=kw.get("disagreement"),
        pass_min=kw.get("pass_min"),
        revise_min=kw.get("revise_min"),
    )


def _events(action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.mark.parametrize("mode", ["scores", "marks", "decision"])
def test_activist_page_api_and_preview_follow_the_period_setting(
    marked, client, auth, token_for, mode
):
    sub1, c1 = marked["sub1"], marked["committee"]
    first = db.session.scalar(select(Score).order_by(Score.id).limit(1))
    first.note = NOTE
    db.session.commit()
    _settings(marked["period"], c1, mode)
    _decide_and_release(marked)
    shown = mode in ("scores", "marks")  # the agreed scores and the visible comments
    notes_shown = mode == "scores"  # the reviewers' own notes and overall comments

    result = client.get(f"/api/v1/submissions/{sub1.id}", headers=token_for("a1")).get_json()[
        "result"
    ]
    assert result["outcome"] == "pass" and result["comment"] == "很好"
    assert result["shows"] == mode
    assert bool(result["marks"]) is shown and bool(result["overall"]) is notes_shown
    assert bool(result["comments"]) is shown
    if shown:
        notes = [n for m in result["marks"] for n in m["notes"]]
        assert notes == ([NOTE] if notes_shown else []) and result["total"] == 68
    if notes_shown:
        assert result["overall"] == ["态度端正，内容充实。", "内容偏空泛。"]

    auth.login("a1")
    page = client.get(f"/my/periods/{marked['period'].id}/").get_data(as_text=True)
    assert "很好" in page
    assert (NOTE in page) is notes_shown and ("态度端正，内容充实。" in page) is notes_shown
    assert ("开头声音偏小" in page) is shown
    auth.logout()

    # the reviewer's preview names exactly what the same rule lets through
    a3 = accounts.create_user("a3", "孙强", "activist", PASSWORD, ["一支部"])
    other = make_submission(a3, marked["period"])
    draft = Review(
        reviewer_id=marked["reviewer"].id,
        version_id=other.current.id,
        rubric_version_id=marked["period"].rubric_version_id,
        state="draft",
    )
    db.session.add(draft)
    db.session.commit()
    auth.login("r1")
    html = client.get(f"/reviews/{other.id}").get_data(as_text=True)
    preview = html[html.index('id="activist-preview"') :][:1500]
    rules = rules_for(marked["period"])
    assert all(part in preview for part in rules.parts())
    assert ("审阅人的总体评语" in preview) is notes_shown
    assert "只给委员会看" not in preview  # the old, now false, promise


def test_release_asks_for_the_count_and_refuses_a_stale_one(marked, client, auth):
    sub1, sub2, c1 = marked["sub1"], marked["sub2"], marked["committee"]
    period = marked["period"]
    decisions.set_decision(sub1.id, c1.id, _marks(sub1, [14, 13, 12, 14, 15]), "pass")
    auth.login("c1")
    ask = client.post(f"/committee/periods/{period.id}/release", data={"scope": "period"})
    html = ask.get_data(as_text=True)
    assert ask.status_code == 200 and "将向 1 名积极分子发布结果" in html
    assert f'name="confirm" value="{sub1.id}"' in html
    assert "赵红" in html and "尚未认定全部分数和结论" in html  # sub2 is left out, said so
    db.session.refresh(sub1)
    assert sub1.state != "released"  # asking released nothing

    # sub2 gets decided between the question and the answer: the count is stale
    decisions.set_decision(sub2.id, c1.id, _marks(sub2, [15] * 5), "pass")
    stale = client.post(
        f"/committee/periods/{period.id}/release",
        data={"scope": "period", "confirm": str(sub1.id)},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "确认后名单有变化：确认时为 1 名，现在可发布 2 名" in stale
    assert "将向 2 名积极分子发布结果" in stale  # asked again with the new count
    assert decisions.released_result(sub1.id) is None
    with pytest.raises(ConflictError):
        releases.release(c1.id, period.id, expected_ids=[sub1.id])

    done = client.post(
        f"/committee/periods/{period.id}/release",
        data={"scope": "period", "confirm": f"{sub1.id},{sub2.id}"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "已向 2 名积极分子发布结果" in done
    (event,) = _events("release")
    assert event.detail["released"] == [sub1.id, sub2.id] and event.detail["confirmed"] is True


def test_withdraw_until_opened_or_the_window_ends(marked, client, auth, token_for, app):
    sub1, c1 = _decide_and_release(marked), marked["committee"]
    decision = db.session.scalar(select(Decision).where(Decision.version_id == sub1.current.id))
    assert releases.withdraw_until(decision) is not None

    auth.login("c1")
    page = client.get(f"/committee/submissions/{sub1.id}").get_data(as_text=True)
    assert "撤回发布" in page and "24 小时内可以撤回" in page
    notices = select(Notification).where(Notification.kind == "result_released")
    assert db.session.scalars(notices).all()  # the activist was told (in-app)
    client.post(f"/committee/submissions/{sub1.id}/withdraw")
    assert db.session.scalars(notices).all() == []  # unread: taken back with the release
    db.session.refresh(sub1)
    assert sub1.state == "reviewed" and decisions.released_result(sub1.id) is None
    assert _events("withdraw_release")[0].object_id == str(sub1.id)
    assert client.get(f"/committee/submissions/{sub1.id}").status_code == 200

    releases.release(c1.id, marked["period"].id, submission_ids=[sub1.id])
    assert len(db.session.scalars(notices).all()) == 1  # released again: told again
    api = app.test_client()  # the activist's phone, with its token
    assert api.get(f"/api/v1/submissions/{sub1.id}", headers=token_for("a1")).status_code == 200
    db.session.refresh(decision)
    assert decision.opened_at is not None and len(_events("open_result")) == 1
    refused = client.post(
        f"/committee/submissions/{sub1.id}/withdraw", follow_redirects=True
    ).get_data(as_text=True)
    assert "查看了结果，不能再撤回" in refused
    db.session.refresh(sub1)
    assert sub1.state == "released"

    decision.opened_at = None  # another case: not opened, but the window is over
    decision.released_at -= timedelta(hours=25)
    db.session.commit()
    with pytest.raises(ConflictError) as err:
        releases.withdraw(c1.id, sub1.id)
    assert "超过 24 小时" in str(err.value.message)
    app.config["RELEASE_WITHDRAW_HOURS"] = 48
    try:
        releases.withdraw(c1.id, sub1.id)  # the window is configurable
    finally:
        app.config["RELEASE_WITHDRAW_HOURS"] = 24


def test_staff_reads_do_not_count_as_opened(marked, client, token_for):
    sub1 = _decide_and_release(marked)
    assert client.get(f"/api/v1/submissions/{sub1.id}", headers=token_for("c1")).status_code == 200
    releases.withdraw(marked["committee"].id, sub1.id)


def _agreeing(marked):
    a3 = accounts.create_user("a3", "孙强", "activist", PASSWORD, ["一支部"])
    sub3 = make_submission(a3, marked["period"])
    make_review(sub3, marked["reviewer"], [15, 14, 13, 16, 17.5])
    make_review(sub3, marked["r3"], [14, 14, 12, 15, 16])
    return sub3


def test_bulk_agree_takes_the_mean_where_reviewers_agree(marked):
    sub1, sub2, c1, period = marked["sub1"], marked["sub2"], marked["committee"], marked["period"]
    sub3 = _agreeing(marked)
    summary = agreement.bulk_agree(c1.id, period.id, [sub1.id, sub2.id, sub3.id])
    assert [s.id for s in summary.agreed] == [sub3.id]
    reasons = dict((s.id, r) for s, r in summary.refused)
    assert "相差 35 分，超过阈值 20 分" in reasons[sub1.id]
    assert reasons[sub2.id] == "评分尚未齐全"  # double marking, one review
    decision = decisions.get_decision(sub3.current.id)
    assert sorted(m.points for m in decision.marks) == [12.5, 14, 14.5, 15.5, 17]  # 16.75 → 17
    assert decision.outcome is None  # never decided without the committee's say
    assert len(decisions.history(sub3.id)) == 1
    again = agreement.bulk_agree(c1.id, period.id, [sub3.id], adopt_suggestion=True)
    assert again.refused[0][1] == "已有认定分数，未覆盖"
    (first, second) = _events("bulk_agree")
    assert first.detail["agreed"] == [sub3.id]

    # a wider threshold lets sub1 through; adopting the suggestion sets 通过 / 需修改 by total
    _settings(period, c1, disagreement=40, pass_min=70, revise_min=60)
    summary = agreement.bulk_agree(c1.id, period.id, [sub1.id], adopt_suggestion=True)
    decision = decisions.get_decision(sub1.current.id)
    assert summary.agreed and sum(m.points for m in decision.marks) == 67.5
    assert decision.outcome is None  # 67.5 suggests 需修改: what to redo is said one by one
    assert summary.unadopted == [sub1]
    _settings(period, c1, disagreement=40, pass_min=60, revise_min=40)
    sub3_decision = decisions.get_decision(sub3.current.id)
    decisions.set_decision(
        sub3.id, c1.id, {m.criterion_id: None for m in sub3_decision.marks}, None
    )
    adopted = agreement.bulk_agree(c1.id, period.id, [sub3.id], adopt_suggestion=True)
    assert adopted.agreed == [sub3] and decisions.get_decision(sub3.current.id).outcome == "pass"


def test_suggestions_and_settings(marked):
    period, c1 = marked["period"], marked["committee"]
    limits = agreement.thresholds(period)
    assert (limits.disagreement, limits.pass_min, limits.revise_min) == (20, 60, 40)
    assert [agreement.suggest(limits, t) for t in (None, 60, 59.5, 40, 39)] == [
        None,
        "pass",
        "revise",
        "revise",
        "fail",
    ]
    for bad in (
        {"pass_min": 101},
        {"pass_min": 50, "revise_min": 55},
        {"disagreement": 0},
    ):
        with pytest.raises(ValidationError):
            _settings(period, c1, **bad)
        db.session.rollback()
    with pytest.raises(ValidationError):
        _settings(period, c1, mode="everything")
    _settings(period, c1, "decision", disagreement=50)
    assert period.feedback_mode == "decision" and period.disagreement_threshold == 0.5
    assert _events("period_settings")[0].detail["after"]["feedback_mode"] == "decision"
    from review.services import dashboard

    assert dashboard.disagreements(period.id) == []  # the dashboard uses the period's limit


def test_release_list_sorts_and_filters(marked, client, auth):
    sub1, sub2, c1, period = marked["sub1"], marked["sub2"], marked["committee"], marked["period"]
    sub3 = _agreeing(marked)
    decisions.set_decision(sub2.id, c1.id, _marks(sub2, [15] * 5), "pass")
    auth.login("c1")
    base = f"/committee/periods/{period.id}/submissions"

    def order(**query):
        html = client.get(base, query_string=query).get_data(as_text=True)
        return [int(x.split('"')[0]) for x in html.split('data-submission="')[1:]]

    assert order(sort="-total") == [sub2.id, sub3.id, sub1.id]  # agreed 75; means 73.25, 67.5
    assert order(sort="total") == [sub1.id, sub3.id, sub2.id]
    assert order(sort="-difference") == [sub1.id, sub3.id, sub2.id]  # 35, 4.5, none
    assert order(disagreement="yes") == [sub1.id]
    assert order(disagreement="no") == [sub3.id, sub2.id]  # by branch: 一支部 first
    assert order(decision="pass") == [sub2.id]
    assert order(decision="undecided", min="70") == [sub3.id]
    html = client.get(base, query_string={"min": "七十"}).get_data(as_text=True)
    assert "不是数字" in html and sub1.id in order()
    page = client.get(base).get_data(as_text=True)
    assert 'class="badge suggestion"' in page  # sub3's suggestion, waiting for the committee
    released = client.post(
        f"/committee/periods/{period.id}/agree",
        data={"ids": [str(sub1.id), str(sub3.id)], "back": base},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "已为 1 份汇报认定分数" in released and "李明：两位审阅人总分相差 35 分" in released


def test_released_feedback_is_none_before_release(marked):
    assert released_feedback(marked["sub1"].current.id) is None
