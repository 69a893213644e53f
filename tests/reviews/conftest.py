"""Reviewer-workspace fixtures: submitted submissions with a playable video, transcript, paper."""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from reportlab.pdfgen import canvas

from review.extensions import db
from review.models import PaperFile, SubmissionState, TranscriptSegment, Video, VideoState
from review.services import accounts
from review.services.submissions import get_or_create_draft
from tests.fixtures.app import PASSWORD

PAPER_TEXT = "我的思想汇报\n\n这一季度我认真学习了党章，参加了支部组织的志愿服务活动。"
LINES = ["我志愿加入中国共产党", "拥护党的纲领，遵守党的章程", "履行党员义务，执行党的决定"]


def submit_version(version, *, days_ago: float = 1, paper_text: str = PAPER_TEXT) -> None:
    """Freeze a draft version as submitted days_ago, as the activist's submit step would."""
    version.paper_kind = version.paper_kind or "text"
    version.paper_text = paper_text
    version.submitted_at = datetime.now(UTC) - timedelta(days=days_ago)
    version.submission.state = SubmissionState.SUBMITTED.value
    db.session.commit()


def _paper_files(folder: Path, version_id: int) -> list[PaperFile]:
    pdf = folder / "paper.pdf"
    sheet = canvas.Canvas(str(pdf))
    sheet.drawString(72, 720, "Thought report, page 1")
    sheet.save()
    photo = folder / "page1.jpg"
    Image.new("RGB", (60, 80), (240, 240, 230)).save(photo)
    docx = folder / "paper.docx"
    docx.write_bytes(b"PK\x03\x04 not really a docx")
    root = folder.parents[1]
    return [
        PaperFile(
            version_id=version_id,
            position=i,
            kind=kind,
            path=str(p.relative_to(root)),
            original_name=p.name,
            size_bytes=p.stat().st_size,
        )
        for i, (kind, p) in enumerate((("pdf", pdf), ("photo", photo), ("docx", docx)))
    ]


@pytest.fixture
def make_submission(app, people, h264_clip):
    """Return a function that builds a submitted, reviewable submission without the pipeline."""
    media_root = Path(app.config["MEDIA_ROOT"])

    def build(
        activist: str = "activist",
        *,
        days_ago: float = 1,
        segments: int = 3,
        flags: tuple[str, ...] = (),
        paper_files: bool = True,
    ) -> int:
        owner, period = people[activist], people["period"]
        folder = media_root / "videos" / uuid.uuid4().hex[:12]
        folder.mkdir(parents=True)
        shutil.copyfile(h264_clip, folder / "playable.mp4")
        Image.new("RGB", (64, 36), (20, 20, 20)).save(folder / "poster.jpg")
        rel = lambda name: str((folder / name).relative_to(media_root))  # noqa: E731
        video = Video(
            owner_id=owner.id,
            period_id=period.id,
            state=VideoState.READY.value,
            stage="done",
            original_path=rel("playable.mp4"),
            sha256="0" * 64,
            size_bytes=(folder / "playable.mp4").stat().st_size,
            duration=6.0,
            probe={"has_audio": True, "browser_playable": True},
            transcoded=True,
            playable_path=rel("playable.mp4"),
            poster_path=rel("poster.jpg"),
            transcript_engine="fake",
            reviewable=True,
            flags=list(flags),
        )
        for i in range(segments):
            text = LINES[i % len(LINES)]
            video.segments.append(
                TranscriptSegment(
                    position=i, start=i * 2.0, end=i * 2.0 + 1.9, text=text, original_text=text
                )
            )
        db.session.add(video)
        db.session.flush()
        version = get_or_create_draft(owner.id, period.id, commit=False)
        version.video_id = video.id
        if paper_files:
            version.paper_kind = "pdf"
            db.session.flush()
            db.session.add_all(_paper_files(folder, version.id))
        submit_version(version, days_ago=days_ago)
        return version.submission_id

    return build


@pytest.fixture
def more_people(people):
    """A second reviewer of 一支部 (r3), two more activists there (a3, a4), r4 reviews both."""
    people["reviewer_c"] = accounts.create_user("r3", "刘老师", "reviewer", PASSWORD, ["一支部"])
    people["reviewer_d"] = accounts.create_user(
        "r4", "孙老师", "reviewer", PASSWORD, ["一支部", "二支部"]
    )
    people["activist_c"] = accounts.create_user("a3", "周强", "activist", PASSWORD, ["一支部"])
    people["activist_d"] = accounts.create_user("a4", "吴芳", "activist", PASSWORD, ["一支部"])
    return people


def login(client, username: str) -> None:
    """Log the client in as username (logging out whoever was in)."""
    client.post("/logout")
    resp = client.post("/login", data={"username": username, "password": PASSWORD})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]


def change_list(
    *,
    scores: dict | None = None,
    overall: str | None = None,
    comments: dict | None = None,
    writer: str = "tab1",
    seq: int = 1,
    base: int | dict = 0,
) -> list[dict]:
    """Build the page's change list: scores {criterion: (points, note)}, comments {id: value}.

    Each change gets the next seq of writer; base is one revision for all or {field: revision}.
    """
    out = []

    def add(field: str, value) -> None:
        rev = base.get(field, 0) if isinstance(base, dict) else base
        out.append(
            {"field": field, "value": value, "base": rev, "writer": writer, "seq": seq + len(out)}
        )

    for cid, (points, note) in (scores or {}).items():
        add(f"points:{cid}", points)
        if note is not None:
            add(f"note:{cid}", note)
    if overall is not None:
        add("overall", overall)
    for cid, value in (comments or {}).items():
        add(f"comment:{cid}", value)
    return out


def changes(**kwargs) -> list:
    """Return change_list(...) parsed as the service takes it."""
    from review.services.drafts import parse_changes

    return parse_changes(change_list(**kwargs))
