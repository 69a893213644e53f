"""Committee fixtures: submitted reports with reviews written straight through the models."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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
