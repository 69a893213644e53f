"""Fixtures of the confidentiality tests: one activist's report as a draft, submitted or revised."""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from review.extensions import db
from review.models import Submission, SubmissionState, TranscriptSegment, Video, VideoState
from review.services.submissions import get_or_create_draft
from tests.reviews.conftest import login, make_submission, more_people  # noqa: F401

DRAFT_WORDS = "草稿里的秘密想法"
V2_WORDS = "第二版尚未提交的内容"

# Who looks at a1's report (一支部), by the usernames of the people fixtures.
VIEWERS = {
    "anonymous": None,
    "owner": "a1",
    "same_branch": "a3",
    "other_branch": "a2",
    "reviewer": "r1",
    "reviewer_other": "r2",
    "committee": "c1",
    "admin": "admin",
}


def unsubmit(submission_id: int) -> Submission:
    """Turn a freshly built submitted report back into the activist's draft."""
    submission = db.session.get(Submission, submission_id)
    submission.current.submitted_at = None
    submission.state = SubmissionState.DRAFT.value
    for segment in submission.current.video.segments:
        segment.text = segment.original_text = f"{DRAFT_WORDS}{segment.position}"
    submission.current.paper_text = DRAFT_WORDS
    db.session.commit()
    return submission


@pytest.fixture
def report(app, more_people, make_submission):  # noqa: F811  (fixtures imported above)
    """Return a function building a1's report in a state: "draft", "submitted" or "revising".

    "revising": version 1 was submitted and sent back (需修改); version 2 is a draft with its
    own video and transcript.
    """

    def build(state: str) -> Submission:
        sid = make_submission("activist")
        if state == "draft":
            return unsubmit(sid)
        submission = db.session.get(Submission, sid)
        if state == "revising":
            submission.state = SubmissionState.NEEDS_REVISION.value
            db.session.commit()
            v1 = submission.current
            v2 = get_or_create_draft(submission.activist_id, submission.period_id)
            media_root = Path(app.config["MEDIA_ROOT"])
            folder = media_root / "videos" / uuid.uuid4().hex[:12]
            folder.mkdir(parents=True)
            shutil.copyfile(media_root / v1.video.playable_path, folder / "playable.mp4")
            with (folder / "playable.mp4").open("ab") as fh:
                fh.write(b"v2")  # a different file, so a response tells which one was sent
            rel = str((folder / "playable.mp4").relative_to(media_root))
            video = Video(
                owner_id=submission.activist_id,
                period_id=submission.period_id,
                state=VideoState.READY.value,
                stage="done",
                original_path=rel,
                playable_path=rel,
                sha256="1" * 64,
                size_bytes=1,
                transcript_engine="fake",
                reviewable=True,
                created_at=datetime.now(UTC),
            )
            video.segments.append(
                TranscriptSegment(position=0, start=0, end=2, text=V2_WORDS, original_text=V2_WORDS)
            )
            db.session.add(video)
            db.session.flush()
            v2.video_id, v2.paper_kind, v2.paper_text = video.id, "text", V2_WORDS
            db.session.commit()
        return submission

    return build
