"""Quotas before any byte is stored: unfinished uploads, bytes per period, free disk (issue 11)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from review.extensions import db
from review.models import Video, VideoState
from review.services import quotas
from tests.fixtures.app import PASSWORD
from tests.tus.conftest import TUS, metadata, patch


def _client(make_app, **config):
    app = make_app(**config)
    client = app.test_client()
    resp = client.post("/api/v1/session", json={"username": "a1", "password": PASSWORD})
    return app, client, {"Authorization": f"Bearer {resp.get_json()['token']}", **TUS}


def _post(client, headers, people, length: int = 10):
    meta = metadata(filename="汇报.mp4", period=str(people["period"].id))
    return client.post(
        "/api/v1/uploads/",
        headers={**headers, "Upload-Length": str(length), "Upload-Metadata": meta},
    )


def test_at_most_n_unfinished_uploads(make_app, people):
    _, client, headers = _client(make_app, MAX_ACTIVE_UPLOADS=2)
    first = _post(client, headers, people)
    assert _post(client, headers, people).status_code == 201
    third = _post(client, headers, people)
    assert third.status_code == 429
    assert "您有 2 个视频还没有上传完" in third.get_json()["error"]["message"]
    client.delete(first.headers["Location"], headers=headers)  # cancelling frees a place
    assert _post(client, headers, people).status_code == 201


def test_byte_budget_per_period(make_app, people):
    _, client, headers = _client(make_app, UPLOAD_BUDGET_MB=1)
    assert _post(client, headers, people, 600_000).status_code == 201
    over = _post(client, headers, people, 600_000)
    assert over.status_code == 413
    assert "本期上传的视频总量已达上限（1 MB）" in over.get_json()["error"]["message"]


def test_short_disk_is_507_before_any_byte(make_app, people):
    app, client, headers = _client(make_app)
    url = _post(client, headers, people).headers["Location"]
    with app.app_context():
        free_mb = shutil.disk_usage(app.config["MEDIA_ROOT"]).free // 2**20
    app.config["MIN_FREE_DISK_MB"] = free_mb + 1024  # more than the disk has
    refused = _post(client, headers, people)
    assert refused.status_code == 507
    assert "服务器存储空间不足" in refused.get_json()["error"]["message"]
    chunk = patch(client, url, headers, b"x" * 10, 0)
    assert chunk.status_code == 507
    assert client.head(url, headers=headers).headers["Upload-Offset"] == "0"  # nothing stored
    # The paper form too: 507 with the reason, the file not kept.
    web = app.test_client()
    web.post("/login", data={"username": "a1", "password": PASSWORD})
    resp = web.post(
        f"/my/periods/{people['period'].id}/paper/file?kind=document",
        data={"document": (io.BytesIO(b"%PDF-1.4 x"), "汇报.pdf")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 507 and "服务器存储空间不足" in resp.get_data(as_text=True)


def test_a_replaced_draft_video_stops_and_its_files_go(app, people, ingest, h264_clip):
    first = ingest(h264_clip)
    folder = Path(app.config["MEDIA_ROOT"]) / Path(db.session.get(Video, first).original_path)
    assert folder.is_file()
    second = ingest(h264_clip)
    db.session.expire_all()
    old = db.session.get(Video, first)
    assert old.state == VideoState.SUPERSEDED.value
    assert not folder.exists()  # the original and anything derived are removed
    from review.services import pipeline

    assert pipeline.start_step(first, "probe") is None  # its queued jobs do nothing
    assert db.session.get(Video, second).state == VideoState.UPLOADED.value
    assert quotas.limit("MAX_ACTIVE_UPLOADS") == 3


def test_a_step_that_fails_after_its_video_was_replaced_leaves_it_superseded(
    app, people, ingest, h264_clip
):
    """Seen under `make run`: the probe running while the file was removed failed the video."""
    from review.services import pipeline

    first = ingest(h264_clip)
    ingest(h264_clip)  # replaces the first: its files go while a step may still be running
    pipeline.fail_video(first, "probe_failed", "No such file or directory")
    db.session.expire_all()
    old = db.session.get(Video, first)
    assert old.state == VideoState.SUPERSEDED.value and old.error_code is None
