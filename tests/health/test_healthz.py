"""`GET /healthz`: database, Redis, disk and worker heartbeat, 200 or 503, never a 500."""

from __future__ import annotations


def test_healthy_with_a_fresh_worker(client, registered_worker):
    registered_worker(age=2)
    resp = client.get("/healthz")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True}
    assert body["redis"] == {"ok": True}
    assert body["disk"]["ok"] and body["disk"]["free_bytes"] > 0
    assert body["workers"]["alive"] == 1
    assert 1 <= body["workers"]["newest_heartbeat_age_s"] < 30
    assert resp.headers["Cache-Control"] == "no-store"


def test_no_worker_means_503(client):
    resp = client.get("/healthz")
    assert resp.status_code == 503
    assert resp.get_json()["workers"] == {
        "ok": False,
        "alive": 0,
        "registered": 0,
        "newest_heartbeat_age_s": None,
    }


def test_a_worker_that_stopped_heartbeating_is_not_alive(client, registered_worker):
    registered_worker(age=600)  # still registered (its key has not expired) but silent
    body = client.get("/healthz").get_json()
    assert body["status"] == "fail"
    assert body["workers"]["registered"] == 1 and body["workers"]["alive"] == 0
    assert body["workers"]["newest_heartbeat_age_s"] >= 600


def test_low_disk_means_503(make_app, registered_worker):
    app = make_app(HEALTH_MIN_FREE_BYTES=2**62)
    with app.app_context():
        registered_worker(age=1)
        resp = app.test_client().get("/healthz")
    assert resp.status_code == 503
    assert resp.get_json()["disk"]["ok"] is False
    assert resp.get_json()["database"]["ok"] is True


def test_redis_down_is_a_503_not_a_500(app_without_redis):
    resp = app_without_redis.test_client().get("/healthz")
    assert resp.status_code == 503
    body = resp.get_json()
    assert body["redis"] == {"ok": False, "error": "ConnectionError"}
    assert body["workers"]["ok"] is False
    assert body["database"] == {"ok": True}
