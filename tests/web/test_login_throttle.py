"""Login throttling a campus can live with: failures per account and per address, in Redis."""

from __future__ import annotations

import statistics
import time

from argon2 import PasswordHasher

from review.extensions import db
from review.models import user as user_model
from review.services import accounts
from tests.fixtures.app import PASSWORD

WRONG = "wrong-password-1"
BAD = "学号/工号或密码不正确。"


def _login(client, username, password=PASSWORD, address="10.0.0.1"):
    return client.post(
        "/login",
        data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_fifty_students_behind_one_nat_all_log_in(app, people, record_property):
    for i in range(50):
        accounts.create_user(f"2025{i:04d}", f"学生{i}", "activist", PASSWORD, ["一支部"])
    start = time.monotonic()
    codes = []
    for i in range(50):
        client = app.test_client()  # fifty browsers, one address
        codes.append(_login(client, f"2025{i:04d}").status_code)
    took = time.monotonic() - start
    print(f"\n50 logins from one address: {codes.count(302)} succeeded in {took:.1f} s")
    record_property("fifty_logins_s", round(took, 1))
    assert codes == [302] * 50
    assert took < 60
    api = app.test_client()
    for i in range(50):  # and again through the API, the same minute
        resp = api.post(
            "/api/v1/session",
            json={"username": f"2025{i:04d}", "password": PASSWORD},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},
        )
        assert resp.status_code == 201


def test_sixth_wrong_password_is_delayed(app, client, people, record_property):
    for _ in range(5):
        resp = _login(client, "a1", WRONG)
        assert resp.status_code == 200 and BAD in resp.get_data(as_text=True)
    resp = _login(client, "a1", WRONG)
    assert resp.status_code == 429
    assert int(resp.headers["Retry-After"]) == 30
    record_property("sixth_wrong_delay_s", int(resp.headers["Retry-After"]))
    assert "该账号密码错误次数过多，为保护账号安全，请 30 秒后再试。" in resp.get_data(as_text=True)
    # The right password waits too; other accounts at the same address do not.
    assert _login(client, "a1").status_code == 429
    assert _login(app.test_client(), "r1").status_code == 302


def test_delay_grows_and_a_success_resets_it(make_app, people):
    app = make_app(LOGIN_ACCOUNT_DELAY=1)
    client = app.test_client()
    for _ in range(5):
        _login(client, "a1", WRONG)
    assert _login(client, "a1", WRONG).headers["Retry-After"] == "1"
    time.sleep(1.1)
    assert _login(client, "a1", WRONG).status_code == 200  # the sixth failure: wait 2 s now
    resp = _login(client, "a1")
    assert resp.status_code == 429 and resp.headers["Retry-After"] == "2"
    time.sleep(2.1)
    assert _login(client, "a1").status_code == 302
    client.post("/logout")
    for _ in range(4):  # counting starts again after the success
        assert _login(client, "a1", WRONG).status_code == 200
    assert _login(client, "a1").status_code == 302


def test_api_delay_is_json_with_retry_after(client, people):
    for _ in range(5):
        resp = client.post("/api/v1/session", json={"username": "a1", "password": WRONG})
        assert resp.status_code == 401
    resp = client.post("/api/v1/session", json={"username": "a1", "password": PASSWORD})
    assert resp.status_code == 429 and resp.headers["Retry-After"] == "30"
    assert resp.get_json()["error"] == {
        "code": "rate_limited",
        "message": "该账号密码错误次数过多，为保护账号安全，请 30 秒后再试。",
    }


def test_address_ceiling_on_failures(make_app, people):
    app = make_app(LOGIN_ADDRESS_FAILURES=12, LOGIN_ADDRESS_WINDOW=600)
    client = app.test_client()
    for i in range(12):  # a password-spraying address, one try per 学号
        assert _login(client, f"nobody{i}", WRONG).status_code == 200
    resp = _login(client, "a1")
    assert resp.status_code == 429
    assert "此网络的登录失败次数过多，请 10 分钟后再试。" in resp.get_data(as_text=True)
    assert _login(client, "a1", address="10.9.9.9").status_code == 302


def test_successes_are_never_counted(app, client, people):
    for _ in range(30):
        assert _login(client, "a1").status_code == 302
        client.post("/logout")
    redis = app.extensions["redis"]
    assert redis.keys(app.config["REDIS_PREFIX"] + "login:*") == []


def test_counters_live_in_redis_and_are_shared(make_app, people):
    first, second = make_app().test_client(), make_app().test_client()  # two web workers
    for _ in range(5):
        _login(first, "a1", WRONG)
    assert _login(second, "a1").status_code == 429


def _median_ms(fn, n=5) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def test_unknown_users_cost_a_real_password_check(app, people):
    """Timing does not tell which 学号 exist: an unknown one is checked against a dummy hash."""
    user_model.set_hasher(PasswordHasher(time_cost=2, memory_cost=16384, parallelism=1))
    try:
        people["activist"].set_password(PASSWORD)
        app.config["LOGIN_ACCOUNT_FAILURES"] = 1000
        known = _median_ms(lambda: accounts.authenticate("a1", WRONG))
        unknown = _median_ms(lambda: accounts.authenticate("nobody-here", WRONG))
        people["reviewer_b"].active = False
        db.session.commit()
        inactive = _median_ms(lambda: accounts.authenticate("r2", PASSWORD))
        print(
            f"\nwrong password {known:.1f} ms, unknown {unknown:.1f} ms, inactive {inactive:.1f} ms"
        )
        assert known > 5  # the hasher is slow enough to measure on a loaded machine
        assert 0.5 < unknown / known < 2 and 0.5 < inactive / known < 2
    finally:
        user_model.set_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
