"""Real HTTP: tuspy uploads, resumes from a new client, concurrent PATCHes, dropped bodies."""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest
import requests
from tusclient import client as tus_client

from review.extensions import db
from review.models import Upload, Video
from tests.tus.conftest import OCTET, TUS

CHUNK = 1024 * 1024


@pytest.fixture
def source(tmp_path):
    """A 4.5 MB file that looks like an MP4 to the sniffer."""
    path = tmp_path / "报告 视频.mp4"
    path.write_bytes(b"\x00\x00\x00\x20ftypisom" + os.urandom(4 * CHUNK + CHUNK // 2))
    return path


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _stored_video(app, url: str) -> Video:
    db.session.expire_all()
    upload = db.session.get(Upload, url.rstrip("/").rsplit("/", 1)[1])
    assert upload.completed_at is not None and upload.offset == upload.length
    return db.session.get(Video, upload.video_id)


def test_tuspy_uploads_in_chunks_with_checksums(app, live_server, token_for, people, source):
    client = tus_client.TusClient(f"{live_server}/api/v1/uploads/", headers=token_for("a1"))
    with open(source, "rb") as stream:  # tuspy leaks the handles it opens for file_path
        uploader = client.uploader(
            file_stream=stream,
            chunk_size=CHUNK,
            upload_checksum=True,
            metadata={"filename": source.name, "period": str(people["period"].id)},
        )
        uploader.upload()
    video = _stored_video(app, uploader.url)
    assert video.original_name == "报告 视频.mp4"
    assert video.original_path.endswith("/original.mp4")
    assert video.sha256 == _sha256(source)
    assert _sha256(app.config["MEDIA_ROOT"] / video.original_path) == _sha256(source)


def test_tuspy_resumes_from_a_new_client(app, live_server, token_for, people, source):
    headers = token_for("a1")
    first = tus_client.TusClient(f"{live_server}/api/v1/uploads", headers=headers)
    with open(source, "rb") as stream:
        uploader = first.uploader(
            file_stream=stream,
            chunk_size=CHUNK,
            metadata={"filename": "a.mp4", "period": str(people["period"].id)},
        )
        uploader.upload(stop_at=2 * CHUNK)  # the phone loses its network here
    url = uploader.url
    assert requests.head(url, headers={**headers, **TUS}).headers["Upload-Offset"] == str(2 * CHUNK)

    second = tus_client.TusClient(f"{live_server}/api/v1/uploads", headers=token_for("a1"))
    with open(source, "rb") as stream:
        resumed = second.uploader(file_stream=stream, url=url, chunk_size=CHUNK)
        assert resumed.offset == 2 * CHUNK
        resumed.upload()
    video = _stored_video(app, url)
    assert _sha256(app.config["MEDIA_ROOT"] / video.original_path) == _sha256(source)
    head = requests.head(url, headers={**headers, **TUS})
    assert (
        head.headers["Upload-Offset"] == head.headers["Upload-Length"] == str(source.stat().st_size)
    )
    other = requests.head(url, headers={**token_for("a2"), **TUS})
    assert other.status_code == 404


def test_concurrent_patches_one_gets_423(app, live_server, token_for, people):
    headers = {**token_for("a1"), **TUS}
    resp = requests.post(
        f"{live_server}/api/v1/uploads/",
        headers={
            **headers,
            "Upload-Length": str(3 * CHUNK),
            "Upload-Metadata": "period "
            + __import__("base64").b64encode(str(people["period"].id).encode()).decode(),
        },
    )
    url = f"{live_server}{resp.headers['Location']}"
    data = os.urandom(3 * CHUNK)
    started = threading.Event()

    def slow_body():
        for i in range(0, 2 * CHUNK, CHUNK // 4):
            yield data[i : i + CHUNK // 4]
            started.set()
            time.sleep(0.1)

    results = {}

    def first():  # chunked transfer: no Content-Length to trust
        results["first"] = requests.patch(
            url, data=slow_body(), headers={**headers, "Upload-Offset": "0", "Content-Type": OCTET}
        )

    thread = threading.Thread(target=first)
    thread.start()
    assert started.wait(10)
    time.sleep(0.2)
    second = requests.patch(
        url, data=b"B" * 1000, headers={**headers, "Upload-Offset": "0", "Content-Type": OCTET}
    )
    thread.join(30)
    assert second.status_code == 423
    assert second.json()["error"]["code"] == "upload_locked"
    assert results["first"].status_code == 204
    assert results["first"].headers["Upload-Offset"] == str(2 * CHUNK)
    rest = requests.patch(
        url,
        data=data[2 * CHUNK :],
        headers={**headers, "Upload-Offset": str(2 * CHUNK), "Content-Type": OCTET},
    )
    assert rest.status_code == 204
    video = _stored_video(app, url)
    assert video.sha256 == hashlib.sha256(data).hexdigest()


def test_dropped_connection_keeps_received_bytes(app, live_server, token_for, people):
    headers = {**token_for("a1"), **TUS}
    import base64

    resp = requests.post(
        f"{live_server}/api/v1/uploads/",
        headers={
            **headers,
            "Upload-Length": "200000",
            "Upload-Metadata": "period "
            + base64.b64encode(str(people["period"].id).encode()).decode(),
        },
    )
    path = resp.headers["Location"]
    host, port = urlsplit(live_server).hostname, urlsplit(live_server).port
    head = (
        f"PATCH {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Authorization: {headers['Authorization']}\r\nTus-Resumable: 1.0.0\r\n"
        f"Content-Type: {OCTET}\r\nUpload-Offset: 0\r\nContent-Length: 200000\r\n\r\n"
    )
    with socket.create_connection((host, port)) as sock:
        sock.sendall(head.encode() + b"x" * 50000)
        time.sleep(0.3)
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(5)
        with contextlib.suppress(OSError):
            sock.recv(1024)
    deadline = time.monotonic() + 5
    offset = None
    while time.monotonic() < deadline:
        offset = requests.head(f"{live_server}{path}", headers=headers).headers["Upload-Offset"]
        if offset != "0":
            break
        time.sleep(0.1)
    assert offset == "50000"
