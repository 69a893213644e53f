"""The committee's dashboard at scale: figures by aggregate, bounded lists, bounded SQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from review.extensions import db
from review.models import (
    Branch,
    Period,
    Review,
    Role,
    Submission,
    SubmissionVersion,
    User,
    Video,
)
from review.services import accounts, dashboard, statistics
from review.services.branches import in_order
from review.services.periods import open_period
from tests.committee.conftest import make_review, make_submission
from tests.fixtures.app import PASSWORD
from tests.reviews.test_page import count_queries


def _old_overview(period_id: int, now: datetime) -> dict[str, dict]:
    """The figures as the dashboard computed them before issue 17: ORM objects, Python loops.

    Kept here as the oracle the aggregates must agree with.
    """
    period = db.session.get_one(Period, period_id)
    rows = {
        b.id: {
            "name": b.name,
            "members": 0,
            "counts": {},
            "missing": [],
            "overdue": [],
            "failed": [],
        }
        for b in in_order(db.session.scalars(select(Branch)))  # 一, 二, 三: reading order
    }
    activists = db.session.scalars(
        select(User)
        .where(User.role == Role.ACTIVIST.value, User.active.is_(True))
        .order_by(User.username)
    )
    submissions = {
        s.activist_id: s
        for s in db.session.scalars(select(Submission).where(Submission.period_id == period_id))
    }
    for user in activists:
        if user.branch_id in rows:
            rows[user.branch_id]["members"] += 1
            sub = submissions.get(user.id)
            if sub is None or sub.state == "draft":
                rows[user.branch_id]["missing"].append(user.username)
    versions = dashboard.current_versions(period_id)
    need, limit = (2 if period.double_marking else 1), now - timedelta(days=14)
    for sub in sorted(submissions.values(), key=lambda s: s.id):
        row = rows.get(sub.branch_id) if sub.branch_id is not None else None
        if row is None:
            continue
        row["counts"][sub.state] = row["counts"].get(sub.state, 0) + 1
        version = versions.get(sub.id)
        if version is None:
            continue
        reviewed = db.session.scalar(
            select(func.count()).where(Review.version_id == version.id, Review.state == "submitted")
        )
        if (
            sub.state in ("submitted", "in_review")
            and version.submitted_at is not None
            and version.submitted_at < limit
            and reviewed < need
        ):
            row["overdue"].append(sub.id)
        video = db.session.get(Video, version.video_id) if version.video_id else None
        if video is not None and video.state == "failed":
            row["failed"].append(sub.id)
    return {r.pop("name"): r for r in rows.values()}


def _new_overview(period_id: int, now: datetime) -> dict[str, dict]:
    return {
        r.branch.name: {
            "members": r.members,
            "counts": r.counts,
            "missing": [u.username for u in r.missing],
            "overdue": [s.id for s in r.overdue],
            "failed": [s.id for s in r.failed],
            "counted": (r.missing_count, r.overdue_count, r.failed_count),
        }
        for r in dashboard.overview(period_id, now)
    }


def _activist(username: str, branch: str, *, active: bool = True) -> User:
    user = accounts.create_user(username, f"积极分子{username}", "activist", PASSWORD, [branch])
    if not active:
        user.active = False
        db.session.commit()
    return user


def _resubmit(submission: Submission, days_ago: float) -> None:
    """Add a second submitted version with a ready video."""
    video = Video(
        owner_id=submission.activist_id,
        period_id=submission.period_id,
        state="ready",
        original_path=f"videos/{submission.activist_id}/second.mp4",
        sha256="1" * 64,
        size_bytes=1000,
        duration=60.0,
        original_name="second.mp4",
    )
    submission.versions.append(
        SubmissionVersion(
            number=2,
            paper_kind="text",
            paper_text="第二版。",
            submitted_at=datetime.now(UTC) - timedelta(days=days_ago),
            video=video,
        )
    )
    db.session.commit()


@pytest.fixture
def mixed(people):
    """Every case the figures distinguish, in two branches and an empty third."""
    period, r1, r2 = people["period"], people["reviewer"], people["reviewer_b"]
    accounts.create_branch("三支部")
    make_review(make_submission(people["activist"], period, days_ago=1), r1, [15] * 5)
    make_submission(people["activist_b"], period, days_ago=20, state="submitted")  # overdue
    once = make_submission(_activist("a03", "一支部"), period, days_ago=20)
    make_review(once, r1, [15] * 5)  # overdue only when double-marked
    twice = make_submission(_activist("a04", "一支部"), period, days_ago=20)
    make_review(twice, r1, [15] * 5)
    make_review(twice, people["reviewer_b"], [14] * 5)
    make_submission(_activist("a05", "二支部"), period, days_ago=2, video_state="failed")
    draft = make_submission(_activist("a06", "二支部"), period, state="draft")
    draft.current.submitted_at = None  # a draft: not submitted, missing
    _activist("a07", "一支部")  # no submission: missing
    _activist("a08", "一支部", active=False)  # left: neither a member nor missing
    again = make_submission(_activist("a09", "二支部"), period, days_ago=30, video_state="failed")
    make_review(again, r2, [10] * 5)  # of the first version: does not count for the second
    _resubmit(again, days_ago=1)
    make_submission(_activist("a10", "一支部"), period, days_ago=30, state="reviewed")
    drafted = make_submission(_activist("a11", "一支部"), period, days_ago=20)
    review = make_review(drafted, r1, [12] * 5)
    review.state = "draft"  # a draft review does not count
    moved = make_submission(_activist("a12", "一支部"), period, days_ago=25, state="submitted")
    moved.activist.branch_id = db.session.scalar(select(Branch.id).where(Branch.name == "二支部"))
    nobody = _activist("a13", "一支部")
    nobody.branch_id = None  # no branch (as an import may leave one)
    later = open_period("2027年第一季度", period.opens_at.date(), period.closes_at.date())
    make_submission(_activist("a14", "一支部"), later, days_ago=20)  # another period
    db.session.commit()
    return people


@pytest.mark.parametrize("double_marking", [False, True])
def test_overview_agrees_with_the_old_figures(mixed, double_marking):
    period = mixed["period"]
    period.double_marking = double_marking
    db.session.commit()
    now = datetime.now(UTC)
    old, new = _old_overview(period.id, now), _new_overview(period.id, now)
    assert list(new) == list(old) and len(old) == 3
    for name, row in old.items():
        got = new[name]
        assert got["counted"] == (len(row["missing"]), len(row["overdue"]), len(row["failed"]))
        del got["counted"]
        assert got == row, name
    assert old["一支部"]["overdue"] and old["二支部"]["failed"] and old["二支部"]["missing"]


def test_lists_are_bounded_and_counted(people):
    period = people["period"]
    late = [_activist(f"b{i:02d}", "一支部") for i in range(7)]
    subs = [make_submission(u, period, days_ago=20, video_state="failed") for u in late]
    for i in range(6):
        _activist(f"m{i:02d}", "二支部")
    rows = {r.branch.name: r for r in dashboard.overview(period.id, first=3)}
    one, two = rows["一支部"], rows["二支部"]
    assert one.overdue_count == 7 and [s.id for s in one.overdue] == [s.id for s in subs[:3]]
    assert one.failed_count == 7 and [s.id for s in one.failed] == [s.id for s in subs[:3]]
    # a2 has not submitted either; by username
    assert two.missing_count == 7 and [u.username for u in two.missing] == ["a2", "m00", "m01"]
    assert one.members == 8 and two.members == 7


def _page(client, period_id: int) -> str:
    resp = client.get(f"/committee/?period={period_id}")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def test_page_shows_the_first_names_and_the_count(people, client, auth, monkeypatch):
    monkeypatch.setattr(dashboard, "LIST_LIMIT", 3)
    period = people["period"]
    for i in range(5):
        make_submission(_activist(f"b{i:02d}", "一支部"), period, days_ago=20)
    for i in range(5):
        _activist(f"m{i:02d}", "二支部")
    auth.login("c1")
    html = _page(client, period.id)
    assert "积极分子b00" in html and "积极分子b02" in html and "积极分子b03" not in html
    assert "积极分子m01" in html and "积极分子m02" not in html  # a2, m00, m01 of 6
    assert "等 6 人" in html and "仅列出前 3 份，共 5 份" in html
    assert "<summary><strong>一支部</strong> · 超期 5 份</summary>" in html  # one group, open
    branch = db.session.scalar(select(Branch.id).where(Branch.name == "一支部"))
    assert f"/committee/periods/{period.id}/submissions?branch={branch}" in html


def test_page_runs_the_same_statements_for_more_data(marked, client, auth):
    """The SQL per page does not grow with the activists, submissions or reviews."""
    period = marked["period"]
    make_submission(_activist("late", "一支部"), period, days_ago=20)  # one of each list
    make_submission(_activist("broken", "二支部"), period, video_state="failed")
    _activist("absent", "二支部")
    auth.login("c1")
    _page(client, period.id)
    with count_queries() as few:
        _page(client, period.id)
    for i in range(6):
        sub = make_submission(_activist(f"b{i:02d}", "一支部"), period, days_ago=20)
        make_review(sub, marked["reviewer"], [20] * 5)
        make_review(sub, marked["r3"], [5] * 5)  # a disagreement each
        make_submission(_activist(f"f{i:02d}", "二支部"), period, video_state="failed")
        _activist(f"m{i:02d}", "二支部")
    _page(client, period.id)  # as before the first count: after a first request
    with count_queries() as more:
        html = _page(client, period.id)
    assert "积极分子b05" in html and "积极分子f05" in html and "积极分子m05" in html
    assert len(more) == len(few), "\n".join(more)


def test_disagreements_are_bounded_and_counted(marked, monkeypatch):
    period = marked["period"]
    for i in range(4):
        sub = make_submission(_activist(f"b{i:02d}", "一支部"), period)
        make_review(sub, marked["reviewer"], [20] * 5)
        make_review(sub, marked["r3"], [4 + i] * 5)  # 80, 75, 70, 65 points apart
    everything = dashboard.disagreements(period.id)
    first = dashboard.disagreements(period.id, first=2)
    assert [d.difference for d in everything] == [80, 75, 70, 65, 35]
    assert [d.submission.id for d in first] == [d.submission.id for d in everything[:2]]
    monkeypatch.setattr(dashboard, "IN_CHUNK", 2)  # ids looked up in parts: the same result
    again = dashboard.disagreements(period.id)
    assert [(d.submission.id, d.totals) for d in again] == [
        (d.submission.id, d.totals) for d in everything
    ]
    assert statistics.agreement(period.id, 0.15).beyond == 5
    assert statistics.agreement(period.id, 0.7).beyond == 2  # more than 70 points


def test_score_spread_is_a_bounded_sample(marked, monkeypatch):
    monkeypatch.setattr(statistics, "SCORE_SAMPLE", 2)
    scores = statistics.criterion_scores(marked["period"].id)
    assert [len(c.points) for c in scores] == [2] * 5  # the two newest of three reviews
    assert sorted(scores[0].points) == [10, 15] and scores[0].sampled
    monkeypatch.setattr(statistics, "SCORE_SAMPLE", 3)
    assert not statistics.criterion_scores(marked["period"].id)[0].sampled


def test_branches_in_reading_order_on_the_dashboard_and_release_list(people, client, auth):
    """第2党支部 before 第10党支部, 第二 before 第十: not the code-point order of ORDER BY name."""
    db.session.add_all(
        Branch(name=n) for n in ("第10党支部", "第2党支部", "第十党支部", "第二党支部")
    )
    db.session.commit()
    auth.login("c1")
    period = people["period"]
    for html in (
        _page(client, period.id),
        client.get(f"/committee/periods/{period.id}/submissions").get_data(as_text=True),
    ):
        assert html.index("第2党支部") < html.index("第10党支部")
        assert html.index("第二党支部") < html.index("第十党支部")


def test_figures_are_counted_at_most_once_a_minute(people, app, client, auth, monkeypatch):
    """Counting 100 000 submissions takes ~0.3 s: the page reads the figures counted within
    DASHBOARD_CACHE_SECONDS (Redis) and says when they were counted; no report text is kept."""
    from review.committee import snapshot

    monkeypatch.setitem(app.config, "DASHBOARD_CACHE_SECONDS", 60)
    period = people["period"]
    make_submission(_activist("late", "一支部"), period, days_ago=20)
    auth.login("c1")
    with count_queries() as first:
        html = _page(client, period.id)
    assert "积极分子late" in html and "以下数字统计于" in html and "每 60 秒更新一次" in html
    make_submission(_activist("later", "一支部"), period, days_ago=30)
    with count_queries() as cached:
        html = _page(client, period.id)
    assert "积极分子late" in html and "积极分子later" not in html  # the minute-old count
    assert len(cached) < len(first) - 5, (len(cached), len(first))
    redis = app.extensions["redis"]
    keys = redis.keys("huibao:dashboard:*")
    assert len(keys) == 1 and 0 < redis.ttl(keys[0]) <= 60
    kept = redis.get(keys[0]).decode()
    assert "积极分子late" in kept and "思想汇报" not in kept  # names and counts, no report
    redis.delete(*keys)  # the minute is over
    html = _page(client, period.id)
    assert "积极分子later" in html
    found = snapshot._load(snapshot._dump(snapshot.count(period.id, 0.2, ("submitted",))))
    assert found.rows[0].overdue and found.rows[0].overdue[0].submitted_at.tzinfo is not None
