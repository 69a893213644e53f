"""Upload interop: the page's tus client, tus-js-client (Node) and tuspy store identical files."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select
from tusclient import client as tus_client

from review.extensions import db
from review.models import Upload, Video
from tests.activist.conftest import login

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CHUNK = 1024 * 1024
NODE_SCRIPT = Path(__file__).with_name("tus_node_upload.js")


@pytest.fixture
def source(tmp_path) -> Path:
    """A 3.5 MB file (uneven chunks) that the server's sniffer takes for an MP4."""
    path = tmp_path / "思想汇报 视频.mp4"
    path.write_bytes(b"\x00\x00\x00\x20ftypisom" + os.urandom(3 * CHUNK + CHUNK // 2))
    return path


def _stored(upload_url: str) -> Video:
    db.session.expire_all()
    upload = db.session.get(Upload, upload_url.rstrip("/").rsplit("/", 1)[-1])
    assert upload.completed_at is not None and upload.offset == upload.length
    return db.session.get(Video, upload.video_id)


def _check(app, video: Video, source: Path, expected: str) -> None:
    # Checked as soon as it is stored: the next upload supersedes this draft video and
    # removes its files (quotas: a replaced draft video is not kept).
    stored = Path(app.config["MEDIA_ROOT"]) / video.original_path
    assert video.sha256 == expected
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == expected
    assert video.size_bytes == stored.stat().st_size == source.stat().st_size
    assert video.original_name == source.name
    assert stored.name == "original.mp4"


def _page_upload(page, base: str, period_id: int, source: Path) -> str:
    login(page, base)
    page.goto(f"{base}/my/periods/{period_id}/")
    page.set_input_files("#video-pick", str(source))
    page.wait_for_selector("#upload-start:not([hidden])")
    page.click("#upload-start")
    page.wait_for_selector("body[data-upload=done]", timeout=60_000)
    db.session.expire_all()
    return db.session.scalars(select(Upload.id).where(Upload.completed_at.is_not(None))).one()


def test_page_tus_js_client_and_tuspy_store_identical_files(
    app, people, live_server, phone, token_for, source, node
):
    app.config["UPLOAD_CHUNK_BYTES"] = CHUNK
    period_id = people["period"].id
    expected = hashlib.sha256(source.read_bytes()).hexdigest()

    page_video = _stored(_page_upload(phone, live_server, period_id, source))
    _check(app, page_video, source, expected)

    headers = token_for("a1")
    tus = tus_client.TusClient(f"{live_server}/api/v1/uploads/", headers=headers)
    with open(source, "rb") as stream:
        uploader = tus.uploader(
            file_stream=stream,
            chunk_size=CHUNK,
            metadata={"filename": source.name, "period": str(period_id)},
        )
        uploader.upload()
    tuspy_video = _stored(uploader.url)
    _check(app, tuspy_video, source, expected)

    token = headers["Authorization"].split(" ", 1)[1]
    done = subprocess.run(
        [
            node,
            str(NODE_SCRIPT),
            f"{live_server}/api/v1/uploads/",
            token,
            str(source),
            str(period_id),
            str(CHUNK),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    node_video = _stored(done.stdout.strip())
    _check(app, node_video, source, expected)

    videos = [page_video, tuspy_video, node_video]
    assert len({v.id for v in videos}) == 3
