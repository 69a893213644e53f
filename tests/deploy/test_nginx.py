"""Through Debian's nginx and the shipped config: tus resume, X-Accel Range, exports, 413.

The requests and answers are written to test-artifacts/deploy/nginx.json for the record.
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from rq import SimpleWorker
from tusclient import client as tus_client

from review.extensions import db
from review.models import Upload, Video
from tests.fixtures.app import PASSWORD
from tests.scripts.conftest import ROOT

ARTIFACTS = ROOT / "test-artifacts" / "deploy"
CHUNK = 256 * 1024
KEPT = (
    "Content-Type",
    "Content-Length",
    "Content-Range",
    "Content-Disposition",
    "Cache-Control",
    "Upload-Offset",
    "Location",
    "X-Accel-Redirect",
    "Accept-Ranges",
    "Server",
)


class Record:
    """Keep each request and its answer (status and the headers that matter)."""

    def __init__(self) -> None:
        self.rows: list[dict] = []

    def __call__(self, resp: requests.Response, note: str = "") -> requests.Response:
        req = resp.request
        sent = {
            k: v
            for k, v in req.headers.items()
            if k in ("Range", "Upload-Offset", "Content-Length", "Tus-Resumable")
        }
        body = (
            resp.content[:160].decode("utf-8", "replace")
            if "json" in resp.headers.get("Content-Type", "")
            else None
        )
        self.rows.append(
            {
                "note": note,
                "request": f"{req.method} {urlsplit(req.url).path}",
                "request_headers": sent,
                "status": resp.status_code,
                "headers": {k: resp.headers[k] for k in KEPT if k in resp.headers},
                **({"json": body} if body else {}),
            }
        )
        return resp

    def save(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / name).write_text(json.dumps(self.rows, ensure_ascii=False, indent=2))


def login(base: str, username: str) -> requests.Session:
    """Log in through the real form (CSRF on, as in production)."""
    http = requests.Session()
    page = http.get(base + "/login", timeout=10).text
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    resp = http.post(
        base + "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    assert resp.status_code == 302, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", resp.text))[-600:]
    page = http.get(base + "/", timeout=10).text  # the login started a fresh session: new token
    http.headers["X-CSRFToken"] = re.search(
        r'<meta name="csrf-token" content="([^"]+)"', page
    ).group(1)
    return http


def bearer(base: str, username: str) -> dict:
    resp = requests.post(
        base + "/api/v1/session", json={"username": username, "password": PASSWORD}, timeout=10
    )
    assert resp.status_code == 201, resp.text
    return {"Authorization": f"Bearer {resp.json()['token']}"}


def drop_mid_body(base: str, url: str, headers: dict, offset: int, body: bytes, send: int) -> None:
    """Send a PATCH announcing len(body) bytes, send only `send` of them, then cut the line."""
    parts = urlsplit(base)
    head = [
        f"PATCH {urlsplit(url).path} HTTP/1.1",
        f"Host: {parts.netloc}",
        "Tus-Resumable: 1.0.0",
        "Content-Type: application/offset+octet-stream",
        f"Upload-Offset: {offset}",
        f"Content-Length: {len(body)}",
        *(f"{k}: {v}" for k, v in headers.items()),
        "",
        "",
    ]
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall("\r\n".join(head).encode() + body[:send])
        time.sleep(2)  # the bytes flow through nginx to the app, then the phone loses its network
        sock.shutdown(socket.SHUT_RDWR)


@pytest.mark.slow
def test_through_nginx(stack, app, people, h264_clip, tmp_path):
    base, record = stack, Record()
    period = people["period"].id
    a1 = bearer(base, "a1")

    # 1. tuspy upload, interrupted (a body cut mid-way, then a stop), resumed by a new client.
    source = tmp_path / "报告.mp4"
    source.write_bytes(
        h264_clip.read_bytes() + b"\0" * max(0, 3 * CHUNK - h264_clip.stat().st_size)
    )
    data = source.read_bytes()
    first = tus_client.TusClient(base + "/api/v1/uploads/", headers=a1)
    with open(source, "rb") as stream:
        uploader = first.uploader(
            file_stream=stream,
            chunk_size=CHUNK,
            metadata={"filename": source.name, "period": str(period)},
        )
        uploader.upload(stop_at=CHUNK)
    url = uploader.url
    drop_mid_body(base, url, a1, CHUNK, data[CHUNK : 2 * CHUNK], CHUNK // 2)
    deadline = time.monotonic() + 15
    while True:  # the app commits the cut body's bytes once nginx tells it the client is gone
        head = requests.head(url, headers={**a1, "Tus-Resumable": "1.0.0"}, timeout=10)
        kept = int(head.headers["Upload-Offset"])
        if kept > CHUNK or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    record(head, "HEAD after a PATCH cut mid-body (half of a 256 KiB chunk sent)")
    assert CHUNK < kept <= CHUNK + CHUNK // 2, "nginx must stream the body (buffering off)"
    second = tus_client.TusClient(base + "/api/v1/uploads/", headers=a1)
    with open(source, "rb") as stream:
        resumed = second.uploader(file_stream=stream, url=url, chunk_size=CHUNK)
        assert resumed.offset == kept
        resumed.upload()
    done = record(
        requests.head(url, headers={**a1, "Tus-Resumable": "1.0.0"}, timeout=10),
        "after tuspy resumed",
    )
    assert done.headers["Upload-Offset"] == str(len(data))
    db.session.expire_all()
    upload = db.session.get(Upload, url.rsplit("/", 1)[1])
    video = db.session.get(Video, upload.video_id)
    assert video.sha256 == hashlib.sha256(data).hexdigest()

    # 2. The activist's playback through X-Accel: nginx answers the Range itself.
    media = app.extensions["rq"]["media"]
    SimpleWorker([media], connection=app.extensions["redis"]).work(burst=True)  # probe: fast path
    db.session.expire_all()
    video = db.session.get(Video, video.id)
    assert video.playable_path, video.error_code
    stored = (Path(app.config["MEDIA_ROOT"]) / video.playable_path).read_bytes()
    activist = login(base, "a1")
    resp = record(
        activist.get(
            f"{base}/my/videos/{video.id}/play", headers={"Range": "bytes=100-199"}, timeout=10
        ),
        "activist playback, Range",
    )
    assert resp.status_code == 206
    assert resp.headers["Content-Range"] == f"bytes 100-199/{len(stored)}"
    assert resp.content == stored[100:200]
    assert resp.headers["Content-Type"] == "video/mp4"
    assert resp.headers["Cache-Control"] == "private, no-store"
    assert "X-Accel-Redirect" not in resp.headers
    tail = record(
        activist.get(
            f"{base}/my/videos/{video.id}/play", headers={"Range": f"bytes=-{50}"}, timeout=10
        ),
        "suffix Range",
    )
    assert tail.status_code == 206 and tail.content == stored[-50:]
    inner = record(
        requests.get(f"{base}/protected-media/{video.playable_path}", timeout=10),
        "the internal location asked directly",
    )
    assert inner.status_code == 404
    other = record(
        login(base, "a2").get(f"{base}/my/videos/{video.id}/play", timeout=10), "another activist"
    )
    assert other.status_code == 404

    # 3. A committee export: built by the job, downloaded through X-Accel under its Chinese name.
    committee = login(base, "c1")
    resp = committee.post(
        f"{base}/committee/periods/{period}/exports",
        data={"kind": "csv"},
        allow_redirects=False,
        timeout=10,
    )
    assert resp.status_code == 302, resp.text[:300]
    job_id = resp.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    SimpleWorker([app.extensions["rq"]["default"]], connection=app.extensions["redis"]).work(
        burst=True
    )
    resp = record(
        committee.get(f"{base}/committee/exports/{job_id}/download", timeout=10),
        "committee export download",
    )
    assert resp.status_code == 200
    assert resp.content.startswith("\ufeff".encode())  # the CSV's BOM, as stored
    assert resp.headers["Content-Disposition"].startswith("attachment")
    assert "filename*=UTF-8''" in resp.headers["Content-Disposition"]
    assert resp.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "X-Accel-Redirect" not in resp.headers

    # 4. A 50 MB PATCH: through nginx (its limit is above), refused by the app's own limit.
    created = record(
        requests.post(
            base + "/api/v1/uploads/",
            headers={
                **a1,
                "Tus-Resumable": "1.0.0",
                "Upload-Length": str(60 * 1024**2),
                "Upload-Metadata": _meta(period),
            },
            timeout=10,
        ),
        "create a 60 MB upload",
    )
    assert created.status_code == 201, created.text
    resp = record(_patch_50mb(base, created.headers["Location"], a1), "a 50 MB PATCH")
    assert resp.status_code == 413
    assert resp.json()["error"]["code"] == "chunk_too_large"
    assert "单次上传的数据过大" in resp.json()["error"]["message"]

    # 5. Versioned static files (review/assets.py) come from nginx's disk, cached for good.
    page = requests.get(f"{base}/login", timeout=10).text
    css = re.search(r'href="(/static/v/[0-9a-f]+/css/app\.css)"', page)
    assert css, page[:500]
    resp = record(requests.get(base + css.group(1), timeout=10), "a versioned static file")
    assert resp.status_code == 200 and resp.content == (ROOT / "static/css/app.css").read_bytes()
    assert "max-age=315360000" in resp.headers["Cache-Control"]
    record.save("nginx.json")


def _meta(period: int) -> str:
    from tests.tus.conftest import metadata

    return metadata(filename="大.mp4", period=str(period))


def _patch_50mb(base: str, location: str, headers: dict) -> requests.Response:
    size = 50 * 1024**2

    url = location if location.startswith("http") else base + location
    try:
        return requests.patch(
            url,
            data=b"\0" * size,
            headers={
                **headers,
                "Tus-Resumable": "1.0.0",
                "Upload-Offset": "0",
                "Content-Type": "application/offset+octet-stream",
                "Content-Length": str(size),
            },
            timeout=60,
        )
    except requests.ConnectionError as exc:  # the server answered before it took the body
        raise AssertionError(f"no answer read: {exc}") from exc
