"""Committee fixtures: submitted reports with reviews written straight through the models."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from review.extensions import db
from review.models import (
    Comment,
    Review,
    Score,
    Submission,
    SubmissionVersion,
    TranscriptSegment,
    Video,
)
from review.services import figures
from tests.fixtures.app import PASSWORD

PAPER = (
    "通过本季度的学习，我对党的性质和宗旨有了更深的认识。我积极参加支部组织的志愿服务活动，"
    "在社区服务中体会到全心全意为人民服务的含义。今后我将继续加强理论学习，严格要求自己。"
) * 3


def make_submission(
    activist,
    period,
    *,
    days_ago: float = 1,
    state: str = "in_review",
    paper: str = PAPER,
    video_state: str = "ready",
) -> Submission:
    """Create a submitted report (one version with a video and its transcript)."""
    when = datetime.now(UTC) - timedelta(days=days_ago)
    video = Video(
        owner_id=activist.id,
        period_id=period.id,
        state=video_state,
        original_path=f"videos/{activist.id}/original.mp4",
        sha256="0" * 64,
        size_bytes=1000,
        duration=60.0,
        original_name="report.mp4",
        error_code="undecodable" if video_state == "failed" else None,
        error_detail="moov atom not found" if video_state == "failed" else None,
    )
    video.segments = [
        TranscriptSegment(
            position=i, start=i * 10.0, end=i * 10.0 + 9.5, text=text, original_text=text
        )
        for i, text in enumerate(
            ["我志愿加入中国共产党", "拥护党的纲领", "遵守党的章程", "履行党员义务"]
        )
    ]
    submission = Submission(
        activist_id=activist.id, period_id=period.id, branch_id=activist.branch_id, state=state
    )
    version = SubmissionVersion(
        number=1, paper_kind="text", paper_text=paper, submitted_at=when, video=video
    )
    submission.versions.append(version)
    db.session.add_all([video, submission])
    db.session.flush()
    figures.refresh([submission.id])  # as submissions.submit_version does
    db.session.commit()
    return submission


def make_review(
    submission,
    reviewer,
    points: list[float],
    *,
    comments=(),
    overall: str = "",
    minutes_ago: float = 60,
) -> Review:
    """Create a submitted review with scores per criterion (in rubric order) and comments."""
    criteria = submission.period.rubric_version.criteria
    review = Review(
        reviewer_id=reviewer.id,
        version_id=submission.current.id,
        rubric_version_id=submission.period.rubric_version_id,
        state="submitted",
        overall_comment=overall,
        submitted_at=datetime.now(UTC) - timedelta(minutes=minutes_ago),
    )
    review.scores = [
        Score(criterion_id=c.id, points=p, note="") for c, p in zip(criteria, points, strict=True)
    ]
    review.comments = [
        Comment(at_seconds=at, text=text, visible_to_activist=visible)
        for at, text, visible in comments
    ]
    db.session.add(review)
    figures.refresh([submission.id])  # as reviews.editing.submit does
    db.session.commit()
    return review


@pytest.fixture
def marked(people):
    """a1 double-marked with a wide disagreement, a2 single-marked; a second 一支部 reviewer."""
    from review.services import accounts

    period = people["period"]
    period.double_marking = True
    db.session.commit()
    r3 = accounts.create_user("r3", "刘老师", "reviewer", PASSWORD, ["一支部"])
    sub1 = make_submission(people["activist"], period)
    make_review(
        sub1,
        people["reviewer"],
        [18, 17, 16, 15, 19],
        comments=[(12.0, "“拥护党的纲领”一句语气坚定", True), (31.0, "誓词略快", False)],
        overall="态度端正，内容充实。",
        minutes_ago=90,
    )
    make_review(
        sub1,
        r3,
        [10, 9, 8, 12, 11],
        comments=[(5.0, "开头声音偏小", True)],
        overall="内容偏空泛。",
        minutes_ago=30,
    )
    sub2 = make_submission(people["activist_b"], period)
    make_review(sub2, people["reviewer_b"], [15, 15, 15, 15, 15])
    return {**people, "r3": r3, "sub1": sub1, "sub2": sub2}


def _marks(submission, points):
    return {c.id: p for c, p in zip(submission.period.rubric_version.criteria, points, strict=True)}


@pytest.fixture
def decided(marked):
    """sub1 has agreed marks and a decision; sub2 is only reviewed."""
    from review.services import decisions

    sub1 = marked["sub1"]
    decisions.set_decision(
        sub1.id,
        marked["committee"].id,
        _marks(sub1, [14, 13, 12, 13.5, 15]),
        "pass",
        "态度端正，继续保持。",
    )
    return marked


@pytest.fixture
def mixed(marked):
    """Every kind of row: disagreeing, tied, agreed, released, decided, unreviewed, resubmitted."""
    from review.services import accounts, decisions, periods, releases

    period, c1 = marked["period"], marked["committee"]
    r1, r3 = marked["reviewer"], marked["r3"]
    made = {"sub1": marked["sub1"], "sub2": marked["sub2"]}  # 85 / 50; 75 alone

    def activist(name, branch="一支部"):
        user = accounts.create_user(name, name, "activist", PASSWORD, [branch or "一支部"])
        user.branch_id = user.branch_id if branch else None  # moved out of every branch
        return user

    def sub(name, branch="一支部", **kw):
        made[name] = make_submission(activist(name, branch), period, **kw)
        return made[name]

    make_review(sub("agree"), r1, [15, 14, 13, 16, 17.5])  # 75.5 / 71: 4.5 apart
    make_review(made["agree"], r3, [14, 14, 12, 15, 16])
    make_review(sub("tie", "二支部"), r1, [18, 17, 16, 15, 19])  # 85 / 50 as sub1: a tie
    make_review(made["tie"], r3, [10, 9, 8, 12, 11])
    make_review(sub("edge"), r1, [15] * 5)  # 75 / 55: exactly the threshold, not over
    make_review(made["edge"], r3, [11] * 5)
    # three reviews, submitted in another order than written: the first two by time count
    make_review(sub("three", "二支部"), r1, [10] * 5, minutes_ago=10)  # 50, third
    make_review(made["three"], r3, [16] * 5, minutes_ago=50)  # 80, first
    make_review(made["three"], marked["reviewer_b"], [12] * 5, minutes_ago=30)  # 60, second
    sub("unreviewed")
    draft = sub("draft_review", "二支部")
    db.session.add(
        Review(
            reviewer_id=r1.id,
            version_id=draft.current.id,
            rubric_version_id=period.rubric_version_id,
            state="draft",
        )
    )
    make_review(sub("released"), r1, [14] * 5)
    make_review(made["released"], r3, [14] * 5)
    decisions.set_decision(made["released"].id, c1.id, _marks(made["released"], [14] * 5), "pass")
    releases.release(c1.id, period.id, submission_ids=[made["released"].id])
    make_review(sub("agreed_only", "二支部"), r1, [12] * 5)  # agreed 70, no outcome yet
    decisions.set_decision(
        made["agreed_only"].id, c1.id, _marks(made["agreed_only"], [14] * 5), None
    )
    make_review(sub("failed"), r1, [6] * 5)
    decisions.set_decision(made["failed"].id, c1.id, _marks(made["failed"], [6] * 5), "fail")
    make_review(sub("revise", "二支部"), r1, [9] * 5)
    decisions.set_decision(
        made["revise"].id, c1.id, _marks(made["revise"], [9] * 5), "revise", redo="video"
    )
    make_review(sub("no_branch", None), r1, [13] * 5)  # branch order of a null branch: the DB's
    resubmitted = sub("resubmitted")  # reviewed, then a new version: the current has nothing
    make_review(resubmitted, r1, [17] * 5)
    resubmitted.versions.append(SubmissionVersion(number=2))
    db.session.flush()
    figures.refresh([resubmitted.id])  # as submit_version does once it is sent
    sub("still_draft", state="draft")  # not on the list
    other = periods.open_period(
        "2027年第一季度", date.today() + timedelta(days=31), date.today() + timedelta(days=90)
    )
    make_review(make_submission(activist("elsewhere"), other), r1, [15] * 5)
    db.session.commit()
    return {**marked, "made": made}
