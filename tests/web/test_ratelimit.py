"""Login rate limiting, counted in Redis."""

from __future__ import annotations

from tests.fixtures.app import PASSWORD

MESSAGE = "尝试次数过多，请稍后再试。"


def _fail_login(client):
    return client.post("/login", data={"username": "a1", "password": "wrong-password"})


def test_sixth_failed_login_is_refused(client, app):
    assert app.config["LOGIN_RATE_LIMIT"] == "5 per minute"
    for _ in range(5):
        resp = _fail_login(client)
        assert resp.status_code == 200
        assert "学号/工号或密码不正确。" in resp.get_data(as_text=True)
    resp = _fail_login(client)
    assert resp.status_code == 429
    assert MESSAGE in resp.get_data(as_text=True)
    # Even the right password is refused until the window passes.
    resp = client.post("/login", data={"username": "a1", "password": PASSWORD})
    assert resp.status_code == 429


def test_login_page_itself_is_not_limited(client):
    for _ in range(5):
        _fail_login(client)
    for _ in range(8):
        assert client.get("/login").status_code == 200


def test_limit_headers(client):
    resp = _fail_login(client)
    assert resp.headers["X-RateLimit-Limit"] == "5"
    assert resp.headers["X-RateLimit-Remaining"] == "4"


def test_api_session_is_limited(client):
    for _ in range(5):
        resp = client.post("/api/v1/session", json={"username": "a1", "password": "wrong"})
        assert resp.status_code == 401
    resp = client.post("/api/v1/session", json={"username": "a1", "password": "wrong"})
    assert resp.status_code == 429
    assert resp.get_json() == {"error": {"code": "rate_limited", "message": MESSAGE}}


def test_other_address_is_not_limited(client):
    for _ in range(6):
        _fail_login(client)
    resp = client.post(
        "/login",
        data={"username": "a1", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert resp.status_code == 302


def test_counters_live_in_redis(client, make_app, app):
    for _ in range(5):
        _fail_login(client)
    redis = app.extensions["redis"]
    prefix = app.config["RATELIMIT_KEY_PREFIX"]
    assert prefix == "huibao:limit"
    keys = [k.decode() for k in redis.keys(f"*{prefix}*")]
    assert any("auth.login" in k for k in keys), redis.keys("*")
    # A fresh app (another worker) shares the counters.
    other = make_app().test_client()
    assert _fail_login(other).status_code == 429
