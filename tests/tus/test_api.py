"""The tus routes through the test client: every status code, owner isolation, CORS."""

from __future__ import annotations

import base64
import hashlib
import os
from datetime import UTC, datetime, timedelta

import pytest

from review import storage
from review.extensions import db
from review.models import Submission, Upload, Video
from review.services import uploads
from review.services.submissions import get_or_create_draft
from tests.tus.conftest import OCTET, TUS, metadata, patch


def error_code(resp) -> str:
    return resp.get_json()["error"]["code"]


def test_options_is_public_and_describes_the_server(client):
    resp = client.options("/api/v1/uploads/")
    assert resp.status_code == 204
    assert resp.headers["Tus-Version"] == "1.0.0"
    assert (
        resp.headers["Tus-Extension"]
        == "creation,creation-with-upload,termination,expiration,checksum"
    )
    assert resp.headers["Tus-Max-Size"] == str(1024**3)
    assert resp.headers["Tus-Checksum-Algorithm"] == "sha1"
    assert "Upload-Offset" in resp.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Origin" not in resp.headers
    assert client.options("/api/v1/uploads/" + "0" * 32).status_code == 204


def test_create_head_get(client, a1, create, people):
    url = create(a1, 1234, filename="../../etc/passwd\x00.mp4")
    assert url.startswith("/api/v1/uploads/") and len(url.rsplit("/", 1)[1]) == 32
    head = client.head(url, headers=a1)
    assert head.status_code == 200
    assert head.headers["Upload-Offset"] == "0" and head.headers["Upload-Length"] == "1234"
    assert head.headers["Tus-Resumable"] == "1.0.0"
    assert head.headers["Cache-Control"] == "no-store"
    assert "Upload-Expires" in head.headers
    assert "period" in head.headers["Upload-Metadata"]
    body = client.get(url, headers=a1).get_json()
    assert body["offset"] == 0 and body["length"] == 1234 and body["completed"] is False
    assert body["filename"] == "passwd.mp4" and body["video_id"] is None
    upload = db.session.get(Upload, body["id"])
    assert upload.owner_id == people["activist"].id and upload.period_id == people["period"].id
    assert storage.upload_partial(upload.id).exists()


def test_create_answers_location_and_expiry(client, a1, people):
    resp = client.post(
        "/api/v1/uploads",
        headers={
            **a1,
            "Upload-Length": "5",
            "Upload-Metadata": metadata(period=str(people["period"].id)),
        },
    )
    assert resp.status_code == 201
    assert resp.headers["Upload-Offset"] == "0"
    expires = datetime.strptime(resp.headers["Upload-Expires"], "%a, %d %b %Y %H:%M:%S GMT")
    assert expires.replace(tzinfo=UTC) > datetime.now(UTC) + timedelta(hours=23)
    assert "Location" in resp.headers["Access-Control-Expose-Headers"]


@pytest.mark.parametrize("method", ["post", "head", "patch", "delete"])
@pytest.mark.parametrize("version", [None, "0.2.2"])
def test_missing_or_wrong_tus_version_is_412(client, a1, create, method, version):
    url = create(a1)
    headers = {k: v for k, v in a1.items() if k != "Tus-Resumable"}
    if version:
        headers["Tus-Resumable"] = version
    target = "/api/v1/uploads/" if method == "post" else url
    resp = getattr(client, method)(
        target,
        headers={**headers, "Upload-Offset": "0", "Content-Type": OCTET, "Upload-Length": "5"},
    )
    assert resp.status_code == 412
    assert resp.headers["Tus-Version"] == "1.0.0"
    if method != "head":
        assert error_code(resp) == "tus_version"
    assert client.head(url, headers=a1).headers["Upload-Offset"] == "0"


def test_unauthenticated_is_401(client, people):
    resp = client.post("/api/v1/uploads/", headers={**TUS, "Upload-Length": "5"})
    assert resp.status_code == 401
    assert resp.headers["Tus-Resumable"] == "1.0.0"
    assert client.head("/api/v1/uploads/" + "0" * 32, headers=TUS).status_code == 401


@pytest.mark.parametrize("username", ["r1", "c1", "admin"])
def test_only_activists_create(client, token_for, people, username):
    resp = client.post(
        "/api/v1/uploads/",
        headers={
            **token_for(username),
            **TUS,
            "Upload-Length": "5",
            "Upload-Metadata": metadata(period=str(people["period"].id)),
        },
    )
    assert resp.status_code == 403
    assert "积极分子" in resp.get_json()["error"]["message"]


@pytest.mark.parametrize(
    "length, meta, code",
    [
        (None, "period MQ==", "bad_upload_length"),
        ("-5", "period MQ==", "bad_upload_length"),
        ("abc", "period MQ==", "bad_upload_length"),
        ("0", "PERIOD", "empty_upload"),
        ("5", "filename !!!", "bad_metadata"),
        ("5", f"filename {base64.b64encode(b'a').decode()}", "period_required"),
        ("5", "period", "period_required"),
        ("5", "period " + base64.b64encode(b"999999").decode(), "bad_period"),
        ("5", "period " + base64.b64encode(b"1; drop").decode(), "bad_period"),
    ],
)
def test_bad_creation_requests_are_400(client, a1, people, length, meta, code):
    meta = meta.replace(
        "PERIOD", "period " + base64.b64encode(str(people["period"].id).encode()).decode()
    )
    headers = {**a1, "Upload-Metadata": meta}
    if length is not None:
        headers["Upload-Length"] = length
    resp = client.post("/api/v1/uploads/", headers=headers)
    assert resp.status_code == 400
    assert error_code(resp) == code
    assert resp.get_json()["error"]["message"]
    assert db.session.query(Upload).count() == 0


def test_deferred_length_is_400(client, a1, people):
    resp = client.post(
        "/api/v1/uploads/",
        headers={**a1, "Upload-Defer-Length": "1", "Upload-Metadata": metadata(period="1")},
    )
    assert resp.status_code == 400


def test_closed_period_is_400(client, a1, create, people):
    people["period"].closes_at = datetime.now(UTC) - timedelta(days=1)
    db.session.commit()
    resp = client.post(
        "/api/v1/uploads/",
        headers={
            **a1,
            "Upload-Length": "5",
            "Upload-Metadata": metadata(period=str(people["period"].id)),
        },
    )
    assert resp.status_code == 400
    assert error_code(resp) == "period_closed"
    assert "不在提交时间内" in resp.get_json()["error"]["message"]


def test_over_the_maximum_is_413(app, client, a1, create):
    app.config["MAX_UPLOAD_BYTES"] = 1000
    create(a1, 1000)
    resp = client.post(
        "/api/v1/uploads/",
        headers={**a1, "Upload-Length": "1001", "Upload-Metadata": metadata(period="1")},
    )
    assert resp.status_code == 413
    assert client.options("/api/v1/uploads/").headers["Tus-Max-Size"] == "1000"


def test_patch_past_upload_length_is_413(client, a1, create):
    url = create(a1, 10)
    resp = patch(client, url, a1, b"x" * 11, 0)
    assert resp.status_code == 413
    assert patch(client, url, a1, b"x" * 4, 0).status_code == 204
    assert patch(client, url, a1, b"x" * 7, 4).status_code == 413
    assert client.head(url, headers=a1).headers["Upload-Offset"] == "4"


def test_wrong_content_type_is_415(client, a1, create):
    url = create(a1, 10)
    resp = client.patch(
        url,
        data=b"x",
        headers={**a1, "Upload-Offset": "0", "Content-Type": "application/octet-stream"},
    )
    assert resp.status_code == 415
    resp = client.patch(url, data=b"x", headers={**a1, "Upload-Offset": "0"})
    assert resp.status_code == 415


def test_offset_mismatch_is_409(client, a1, create):
    url = create(a1, 10)
    assert patch(client, url, a1, b"abc", 0).status_code == 204
    for offset in (0, 2, 4, 10):
        resp = patch(client, url, a1, b"def", offset)
        assert resp.status_code == 409
        assert error_code(resp) == "offset_mismatch"
    assert client.head(url, headers=a1).headers["Upload-Offset"] == "3"
    assert patch(client, url, a1, b"x", 3, **{"Upload-Offset": "x"}).status_code == 400
    assert patch(client, url, a1, b"def", 3).headers["Upload-Offset"] == "6"


def test_unknown_ids_are_404(client, a1, people):
    for upload_id in ("0" * 32, "nope", "../../etc"):
        url = f"/api/v1/uploads/{upload_id}"
        assert client.head(url, headers=a1).status_code == 404
        assert "Upload-Offset" not in client.head(url, headers=a1).headers
        assert client.get(url, headers=a1).status_code == 404
        assert patch(client, url, a1, b"x", 0).status_code == 404
        assert client.delete(url, headers=a1).status_code == 404


def test_upload_urls_work_only_for_their_owner(client, a1, token_for, create, people):
    url = create(a1, 10)
    other = {**token_for("a2"), **TUS}
    reviewer = {**token_for("r1"), **TUS}
    for headers in (other, reviewer):
        assert client.head(url, headers=headers).status_code == 404
        assert client.get(url, headers=headers).status_code == 404
        assert patch(client, url, headers, b"evil", 0).status_code == 404
        assert client.delete(url, headers=headers).status_code == 404
    assert client.head(url, headers=a1).headers["Upload-Offset"] == "0"


def test_session_cookie_works_with_csrf(app, client, auth, create, a1):
    from itsdangerous import URLSafeTimedSerializer

    url = create(a1, 3)
    auth.login("a1")
    assert client.head(url, headers=TUS).status_code == 200
    resp = patch(client, url, TUS, b"abc", 0)
    assert resp.status_code == 400 and error_code(resp) == "csrf"
    with client.session_transaction() as session:
        session["csrf_token"] = "raw-token-for-test"
    token = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(
        "raw-token-for-test"
    )
    assert patch(client, url, {**TUS, "X-CSRFToken": token}, b"abc", 0).status_code == 204


def test_terminated_is_410(client, a1, create):
    url = create(a1, 10)
    assert patch(client, url, a1, b"abc", 0).status_code == 204
    upload_id = url.rsplit("/", 1)[1]
    resp = client.delete(url, headers=a1)
    assert resp.status_code == 204 and resp.headers["Tus-Resumable"] == "1.0.0"
    assert not storage.upload_partial(upload_id).exists()
    assert client.head(url, headers=a1).status_code == 410
    resp = patch(client, url, a1, b"def", 3)
    assert resp.status_code == 410 and "取消" in resp.get_json()["error"]["message"]
    assert client.delete(url, headers=a1).status_code == 410
    assert client.get(url, headers=a1).status_code == 410


def test_expired_is_410_and_swept(app, client, a1, create):
    url = create(a1, 10)
    keep = create(a1, 10)
    assert patch(client, url, a1, b"abc", 0).status_code == 204
    upload = db.session.get(Upload, url.rsplit("/", 1)[1])
    upload.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    resp = client.head(url, headers=a1)
    assert resp.status_code == 410  # even before the sweep
    assert uploads.expire_uploads() == 1
    assert uploads.expire_uploads() == 0
    assert not storage.upload_partial(upload.id).exists()
    resp = patch(client, url, a1, b"def", 3)
    assert resp.status_code == 410
    assert resp.get_json()["error"]["message"] == "上传已过期，请重新选择视频上传。"
    assert client.head(keep, headers=a1).status_code == 200
    # Tombstones go after TOMBSTONE_DAYS; then the id is simply unknown.
    later = datetime.now(UTC) + timedelta(days=uploads.TOMBSTONE_DAYS + 1)
    db.session.get(Upload, keep.rsplit("/", 1)[1]).expires_at = later + timedelta(days=1)
    db.session.commit()
    assert uploads.expire_uploads(now=later) == 0
    assert client.head(url, headers=a1).status_code == 404


def test_patch_extends_the_expiry(client, a1, create):
    url = create(a1, 10)
    upload = db.session.get(Upload, url.rsplit("/", 1)[1])
    upload.expires_at = datetime.now(UTC) + timedelta(minutes=5)
    db.session.commit()
    resp = patch(client, url, a1, b"abc", 0)
    expires = datetime.strptime(resp.headers["Upload-Expires"], "%a, %d %b %Y %H:%M:%S GMT")
    assert expires.replace(tzinfo=UTC) > datetime.now(UTC) + timedelta(hours=23)


def test_checksum_ok_and_mismatch(client, a1, create):
    url = create(a1, 6)
    good = base64.b64encode(hashlib.sha1(b"abc").digest()).decode()
    resp = patch(client, url, a1, b"abc", 0, **{"Upload-Checksum": f"sha1 {good}"})
    assert resp.status_code == 204 and resp.headers["Upload-Offset"] == "3"
    resp = patch(client, url, a1, b"XYZ", 3, **{"Upload-Checksum": f"sha1 {good}"})
    assert resp.status_code == 460
    assert resp.status == "460 Checksum Mismatch"
    assert error_code(resp) == "checksum_mismatch"
    assert client.head(url, headers=a1).headers["Upload-Offset"] == "3"
    upload_id = url.rsplit("/", 1)[1]
    assert storage.upload_partial(upload_id).read_bytes() == b"abc"
    resp = patch(client, url, a1, b"def", 3, **{"Upload-Checksum": "md5 AAAA"})
    assert resp.status_code == 400 and error_code(resp) == "checksum_algorithm"
    assert storage.upload_partial(upload_id).read_bytes() == b"abc"


def test_concurrent_patch_gets_423(app, client, a1, create):
    url = create(a1, 10)
    upload_id = url.rsplit("/", 1)[1]
    lock = app.extensions["redis"].lock(uploads.lock_name(upload_id), timeout=30)
    assert lock.acquire(blocking=False)
    try:
        resp = patch(client, url, a1, b"abc", 0)
        assert resp.status_code == 423 and error_code(resp) == "upload_locked"
        assert client.delete(url, headers=a1).status_code == 423
        assert client.head(url, headers=a1).status_code == 200  # reading never waits
    finally:
        lock.release()
    assert patch(client, url, a1, b"abc", 0).status_code == 204
    assert not app.extensions["redis"].exists(uploads.lock_name(upload_id))


def test_multi_megabyte_upload_in_chunks_completes(app, client, a1, create, people):
    body = b"\x00\x00\x00\x18ftypisom" + os.urandom(5 * 1024 * 1024 + 123)
    url = create(a1, len(body), filename="我的汇报.MOV")
    step = 2 * 1024 * 1024
    for offset in range(0, len(body), step):
        resp = patch(client, url, a1, body[offset : offset + step], offset)
        assert resp.status_code == 204, resp.get_data(as_text=True)
        assert resp.headers["Upload-Offset"] == str(min(offset + step, len(body)))
    assert "Upload-Expires" not in resp.headers
    info = client.get(url, headers=a1).get_json()
    assert info["completed"] is True and info["offset"] == len(body)
    video = db.session.get(Video, info["video_id"])
    assert video.owner_id == people["activist"].id and video.period_id == people["period"].id
    assert video.state == "uploaded" and video.original_name == "我的汇报.MOV"
    assert video.original_path == f"videos/{info['id']}/original.mp4"  # sniffed, not .MOV
    assert video.sha256 == hashlib.sha256(body).hexdigest() and video.size_bytes == len(body)
    assert video.deadline_at > datetime.now(UTC)
    stored = app.config["MEDIA_ROOT"] / video.original_path
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == video.sha256
    assert not storage.upload_partial(info["id"]).exists()
    submission = db.session.query(Submission).one()
    assert submission.current.video_id == video.id
    # Finished uploads stay readable and idempotent.
    head = client.head(url, headers=a1)
    assert head.status_code == 200 and head.headers["Upload-Offset"] == str(len(body))
    again = patch(client, url, a1, b"", len(body))
    assert again.status_code == 204 and again.headers["Upload-Offset"] == str(len(body))
    assert patch(client, url, a1, b"x", len(body)).status_code == 413
    assert client.delete(url, headers=a1).status_code == 409
    assert db.session.query(Video).count() == 1
    # Expiry never touches finished uploads.
    assert uploads.expire_uploads(datetime.now(UTC) + timedelta(days=400)) == 0
    assert client.head(url, headers=a1).status_code == 200


def test_frozen_report_refuses_creation(client, a1, people):
    version = get_or_create_draft(people["activist"].id, people["period"].id)
    version.submitted_at = datetime.now(UTC)
    db.session.commit()
    resp = client.post(
        "/api/v1/uploads/",
        headers={
            **a1,
            "Upload-Length": "5",
            "Upload-Metadata": metadata(period=str(people["period"].id)),
        },
    )
    assert resp.status_code == 409
    assert resp.get_json()["error"]["message"] == "本期思想汇报已提交，不能再修改。"


def test_report_frozen_during_upload_keeps_the_bytes(app, client, a1, create, people):
    url = create(a1, 6)
    upload_id = url.rsplit("/", 1)[1]
    assert patch(client, url, a1, b"abc", 0).status_code == 204
    version = get_or_create_draft(people["activist"].id, people["period"].id)
    version.submitted_at = datetime.now(UTC)
    db.session.commit()
    resp = patch(client, url, a1, b"def", 3)
    assert resp.status_code == 409
    assert resp.get_json()["error"]["message"] == "本期思想汇报已提交，不能再修改。"
    assert client.head(url, headers=a1).headers["Upload-Offset"] == "6"
    assert client.get(url, headers=a1).get_json()["completed"] is False
    assert storage.upload_partial(upload_id).read_bytes() == b"abcdef"
    assert db.session.query(Video).count() == 0
    # The reviewer sends it back; an empty PATCH at the end finishes the same upload.
    submission = db.session.query(Submission).one()
    submission.state = "needs_revision"
    db.session.commit()
    resp = patch(client, url, a1, b"", 6)
    assert resp.status_code == 204
    info = client.get(url, headers=a1).get_json()
    assert info["completed"] is True
    assert db.session.get(Video, info["video_id"]).sha256 == hashlib.sha256(b"abcdef").hexdigest()


def test_redis_down_at_enqueue_still_acknowledges(client, a1, create, monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError

    from review.services import pipeline

    def down(video_id):
        raise RedisConnectionError("redis went away")

    monkeypatch.setattr(pipeline, "enqueue_video", down)
    url = create(a1, 3)
    resp = patch(client, url, a1, b"abc", 0)
    assert resp.status_code == 204 and resp.headers["Upload-Offset"] == "3"
    info = client.get(url, headers=a1).get_json()
    assert info["completed"] and db.session.get(Video, info["video_id"]).state == "uploaded"


def test_creation_with_upload(client, a1, people):
    resp = client.post(
        "/api/v1/uploads/",
        data=b"hello",
        headers={
            **a1,
            "Upload-Length": "10",
            "Content-Type": OCTET,
            "Upload-Metadata": metadata(period=str(people["period"].id)),
        },
    )
    assert resp.status_code == 201 and resp.headers["Upload-Offset"] == "5"
    resp = client.post(
        "/api/v1/uploads/",
        data=b"hello",
        headers={
            **a1,
            "Upload-Length": "10",
            "Content-Type": "text/plain",
            "Upload-Metadata": metadata(period=str(people["period"].id)),
        },
    )
    assert resp.status_code == 415


def test_method_override(client, a1, create):
    url = create(a1, 3)
    resp = client.post(
        url,
        data=b"abc",
        headers={
            **a1,
            "X-HTTP-Method-Override": "PATCH",
            "Upload-Offset": "0",
            "Content-Type": OCTET,
        },
    )
    assert resp.status_code == 204 and resp.headers["Upload-Offset"] == "3"
    assert client.post(url, headers={**a1, "X-HTTP-Method-Override": "PUT"}).status_code == 405


def test_cors_for_a_configured_origin_only(app, client, a1, create):
    url = create(a1, 3)
    origin = "https://m.huibao.example.edu"
    resp = client.options(url, headers={"Origin": origin, "Access-Control-Request-Method": "PATCH"})
    assert "Access-Control-Allow-Origin" not in resp.headers
    app.config["CORS_ORIGINS"] = origin
    resp = client.options(url, headers={"Origin": origin, "Access-Control-Request-Method": "PATCH"})
    assert resp.headers["Access-Control-Allow-Origin"] == origin
    assert "Origin" in resp.headers["Vary"]
    resp = client.head(url, headers={**a1, "Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in resp.headers
    assert "Upload-Offset" in resp.headers["Access-Control-Expose-Headers"]


def test_openapi_documents_every_upload_route(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/uploads"):
            path = rule.rule.replace("<upload_id>", "{upload_id}")
            for method in rule.methods:
                assert method.lower() in spec["paths"][path], (path, method)


def test_a_patch_over_the_chunk_limit_is_refused_before_it_is_read(make_app, token_for, people):
    app = make_app(MAX_CHUNK_BYTES=1024**2)
    client = app.test_client()
    resp = client.post("/api/v1/session", json={"username": "a1", "password": "correct-horse-9"})
    a1 = {"Authorization": f"Bearer {resp.get_json()['token']}", **TUS}
    meta = metadata(filename="汇报.mp4", period=str(people["period"].id))
    resp = client.post(
        "/api/v1/uploads/", headers={**a1, "Upload-Length": "5000", "Upload-Metadata": meta}
    )
    url = resp.headers["Location"]
    resp = patch(client, url, a1, b"x" * (1024**2 + 1), 0)
    assert resp.status_code == 413
    assert resp.get_json()["error"] == {
        "code": "chunk_too_large",
        "message": "单次上传的数据过大（每次最多 1 MB），请分段上传。",
    }
    assert client.head(url, headers=a1).headers["Upload-Offset"] == "0"
    assert patch(client, url, a1, b"x" * 1024, 0).status_code == 204
