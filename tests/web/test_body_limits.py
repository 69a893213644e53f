"""Request bodies are bounded before they are read: the global cap, per-view limits, chunked.

The memory and malformed-body cases run through a real gunicorn (gthread worker, raw
sockets), because that is where a chunked body reaches `request.get_json` unbounded.
"""

from __future__ import annotations

import io
import json

import pytest

from tests.fixtures.app import PASSWORD
from tests.tus.conftest import OCTET, TUS, metadata
from tests.web.gunicorn import gunicorn, request, stream_chunked

MB = 2**20
SESSION_HEAD = (
    b"POST /api/v1/session HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n"
)


@pytest.fixture
def served(app, people, database_url, redis_url, tmp_path):
    with gunicorn(database_url, redis_url, tmp_path / "instance") as server:
        yield server


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.mark.slow
def test_oversized_chunked_json_does_not_grow_the_worker(served, record_property):
    """An anonymous 600 MB chunked JSON body to POST /api/v1/session is refused up front."""
    before = served.peak_rss()
    status, body, sent = stream_chunked(
        served.port, SESSION_HEAD, b'{"username": "', b"a" * MB, 600 * MB, b'", "password": "x"}'
    )
    after = served.peak_rss()
    print(f"\npeak worker RSS {before / MB:.0f} MB -> {after / MB:.0f} MB, sent {sent / MB:.0f} MB")
    record_property("peak_rss_mb", (round(before / MB), round(after / MB)))
    assert status == 413, body
    error = json.loads(body)["error"]
    assert error["code"] == "length_required" and _chinese(error["message"])
    assert after - before < 20 * MB


def test_declared_oversized_body_is_refused_before_it_is_sent(served):
    status, body = request(
        served.port,
        b"POST /api/v1/session HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        b"Content-Length: 600000000\r\n\r\n",
    )
    assert status == 413 and json.loads(body)["error"]["code"] == "too_large"


def test_malformed_chunk_on_a_json_route_is_refused(served):
    # A chunk shorter than its declared 0x20 bytes: gunicorn cannot frame the body.
    raw = SESSION_HEAD + b'20\r\n{"username":"a1"}\r\n10\r\n' + b"x" * 16 + b"\r\n0\r\n\r\n"
    status, body = request(served.port, raw)
    assert status == 413 and _chinese(json.loads(body)["error"]["message"])


def test_malformed_chunk_on_a_tus_patch_is_a_400(served, people):
    login = json.dumps({"username": "a1", "password": PASSWORD}).encode()
    status, body = request(
        served.port,
        b"POST /api/v1/session HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(login)}\r\n\r\n".encode()
        + login,
    )
    assert status == 201, body
    token = json.loads(body)["token"].encode()
    meta = metadata(filename="a.mp4", period=str(people["period"].id)).encode()
    raw = (
        b"POST /api/v1/uploads/ HTTP/1.1\r\nHost: t\r\nTus-Resumable: 1.0.0\r\n"
        b"Authorization: Bearer " + token + b"\r\nUpload-Length: 100\r\n"
        b"Upload-Metadata: " + meta + b"\r\nContent-Length: 0\r\n\r\n"
    )
    with_location = _raw_with_headers(served.port, raw)
    assert with_location[0] == 201, with_location
    path = with_location[1]
    patch = (
        f"PATCH {path} HTTP/1.1\r\nHost: t\r\nTus-Resumable: 1.0.0\r\n".encode()
        + b"Authorization: Bearer " + token + b"\r\n"
        + f"Content-Type: {OCTET}\r\nUpload-Offset: 0\r\n".encode()
        + b"Transfer-Encoding: chunked\r\n\r\n"
        + b"20\r\n" + b"v" * 16 + b"\r\n10\r\n" + b"w" * 16 + b"\r\n0\r\n\r\n"
    )  # fmt: skip
    status, body = request(served.port, patch)
    assert status == 400, body
    error = json.loads(body)["error"]
    assert error["code"] == "malformed_body" and _chinese(error["message"])
    assert "Traceback" not in served.log.read_text()


def _raw_with_headers(port: int, raw: bytes) -> tuple[int, str]:
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(raw)
        data = b""
        while b"\r\n\r\n" not in data:
            data += sock.recv(65536)
    head = data.split(b"\r\n\r\n", 1)[0].decode()
    status = int(head.split(" ", 2)[1])
    location = next(
        (line.split(":", 1)[1].strip() for line in head.split("\r\n")[1:] if ":" in line
         and line.split(":", 1)[0].lower() == "location"),
        "",
    )  # fmt: skip
    return status, location


# -- through the test client ------------------------------------------------------------------


def test_global_cap_on_json(client):
    body = json.dumps({"username": "a" * (MB + 10), "password": "x"})
    resp = client.post("/api/v1/session", data=body, content_type="application/json")
    assert resp.status_code == 413
    assert resp.get_json()["error"] == {
        "code": "too_large",
        "message": "请求内容过大（上限 1 MB），请减少内容后重试。",
    }


def test_global_cap_on_a_form(client):
    resp = client.post("/login", data={"username": "a1", "password": "x" * (MB + 10)})
    assert resp.status_code == 413 and "请求内容过大（上限 1 MB）" in resp.get_data(as_text=True)


def test_chunked_form_is_refused(client):
    resp = client.post(
        "/login",
        input_stream=io.BytesIO(b"username=a1&password=x"),
        headers={"Transfer-Encoding": "chunked"},
        content_type="application/x-www-form-urlencoded",
    )
    assert resp.status_code == 413
    assert "请求内容必须声明长度（Content-Length）" in resp.get_data(as_text=True)


def test_small_bodies_still_work(client, people):
    resp = client.post("/api/v1/session", json={"username": "a1", "password": PASSWORD})
    assert resp.status_code == 201


def test_tus_patch_may_exceed_the_global_cap_up_to_the_chunk_limit(app, client, token_for, people):
    app.config["MAX_CHUNK_BYTES"] = 3 * MB
    headers = {**token_for("a1"), **TUS}
    meta = metadata(filename="a.mp4", period=str(people["period"].id))
    resp = client.post(
        "/api/v1/uploads/",
        headers={**headers, "Upload-Length": str(8 * MB), "Upload-Metadata": meta},
    )
    url = resp.headers["Location"]
    ok = client.patch(
        url,
        data=b"\0" * (2 * MB),
        headers={**headers, "Upload-Offset": "0", "Content-Type": OCTET},
    )
    assert ok.status_code == 204 and ok.headers["Upload-Offset"] == str(2 * MB)
    big = client.patch(
        url,
        data=b"\0" * (4 * MB),
        headers={**headers, "Upload-Offset": str(2 * MB), "Content-Type": OCTET},
    )
    assert big.status_code == 413
    assert big.get_json()["error"] == {
        "code": "chunk_too_large",
        "message": "单次上传的数据过大（每次最多 3 MB），请分段上传。",
    }


def _close_body(resp) -> None:
    # The test client spools a large multipart body to a temporary file and closes it only
    # when it follows a redirect; close it here (a real server owns its socket instead).
    resp.request.environ["wsgi.input"].close()


def test_roster_over_its_limit_is_refused_with_a_message(app, client, auth, people):
    app.config["ROSTER_MAX_BYTES"] = MB
    auth.login("admin")
    resp = client.post(
        "/admin/roster",
        data={"file": (io.BytesIO(b"x" * (2 * MB)), "r.csv")},
        content_type="multipart/form-data",
    )
    _close_body(resp)
    assert resp.status_code == 302
    assert "名单文件过大（上限 1 MB），请分批导入。" in client.get("/admin/roster").get_data(
        as_text=True
    )


def test_roster_above_the_global_cap_is_accepted(app, client, auth, people):
    auth.login("admin")
    rows = "".join(f"2025{i:05d},学生{i},一支部,入党积极分子\n" for i in range(3))
    padding = "\n" * (MB + 100)  # blank lines: the file is over 1 MB, the roster is small
    data = ("学号,姓名,支部,角色\n" + rows + padding).encode()
    resp = client.post(
        "/admin/roster",
        data={"file": (io.BytesIO(data), "r.csv")},
        content_type="multipart/form-data",
    )
    _close_body(resp)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    assert "导入完成：新建 3 个账号" in resp.get_data(as_text=True)
