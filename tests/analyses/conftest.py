"""Fixtures of the analysis tests: submissions built from text, and clips with Mandarin speech."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from review.extensions import db
from review.models import SubmissionState, SubmissionVersion, TranscriptSegment, Video, VideoState

DATA = Path(__file__).resolve().parent.parent / "data"


def segments(rows) -> list[SimpleNamespace]:
    """Return transcript segments (start, end, text) as the analyses read them."""
    return [SimpleNamespace(start=a, end=b, text=t) for a, b, t in rows]


@pytest.fixture
def make_version(app, people):
    """Return a function that stores a submission version with a paper text and a transcript."""
    from review.services.submissions import get_or_create_draft

    def make(
        user: str = "activist",
        paper: str = "",
        transcript=(),
        *,
        submitted: bool = True,
        period=None,
    ) -> SubmissionVersion:
        owner, period = people[user], period or people["period"]
        version = get_or_create_draft(owner.id, period.id)
        version.paper_text, version.paper_kind = paper, "text" if paper else None
        if transcript:
            video = Video(
                owner_id=owner.id,
                period_id=period.id,
                state=VideoState.READY.value,
                stage="done",
                reviewable=True,
                transcoded=True,
                original_path=f"videos/none-{owner.id}-{period.id}/original.mp4",
                sha256="0" * 64,
                size_bytes=1,
                duration=transcript[-1][1],
                probe={"has_audio": False},
                transcript_engine="test",
            )
            video.segments = [
                TranscriptSegment(position=i, start=a, end=b, text=t, original_text=t)
                for i, (a, b, t) in enumerate(transcript)
            ]
            db.session.add(video)
            db.session.flush()
            version.video_id = video.id
        if submitted:
            version.submitted_at = datetime.now(UTC)
            version.submission.state = SubmissionState.SUBMITTED.value
        db.session.commit()
        return version

    return make


def submit(version_id: int) -> None:
    """Mark a version submitted, as the activist's submit service does."""
    version = db.session.get(SubmissionVersion, version_id)
    version.submitted_at = datetime.now(UTC)
    version.submission.state = SubmissionState.SUBMITTED.value
    db.session.commit()


@pytest.fixture(scope="session")
def report_clip(clip_factory) -> Path:
    """tests/data/report.flac (a spoken thought report) muxed with a testsrc video into an MP4."""
    audio = clip_factory.derived("report.flac", lambda p: shutil.copyfile(DATA / "report.flac", p))
    return clip_factory(
        "report.mp4",
        [
            "-f",
            "lavfi",
            "-i",
            "testsrc2=s=320x240:r=10",
            "-i",
            str(audio),
            "-map",
            "0:v",
            "-map",
            "1:a",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-b:a",
            "64k",
            "-shortest",
            "-movflags",
            "+faststart",
        ],
    )


@pytest.fixture(scope="session")
def silent_clip(clip_factory) -> Path:
    """15 s of video with a silent audio track."""
    return clip_factory(
        "silent.mp4",
        [
            "-f",
            "lavfi",
            "-i",
            "testsrc2=s=160x120:r=10:d=15",
            "-f",
            "lavfi",
            "-i",
            "anullsrc=r=44100:cl=mono",
            "-t",
            "15",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-b:a",
            "64k",
            "-shortest",
        ],
    )


@pytest.fixture(scope="session")
def quiet_clip(clip_factory, oath_clip) -> Path:
    """The oath clip with its sound turned down to 1% (-40 dB)."""
    return clip_factory(
        "quiet_oath.mp4",
        ["-i", str(oath_clip), "-c:v", "copy", "-af", "volume=0.01", "-c:a", "aac", "-b:a", "64k"],
    )
