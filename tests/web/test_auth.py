"""Login, logout, forced password change, cookies, hashes and the Chinese UI."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, Type, extract_parameters

from review.extensions import db
from review.models import User
from review.services import accounts
from tests.fixtures.app import PASSWORD

# Each role's home page and a heading it shows; the one place to change when homes move.
HOMES = {
    "a1": ("/my/", "我的思想汇报"),
    "r1": ("/reviews/", "审阅队列"),
    "c1": ("/committee/", "党委工作台"),
    "admin": ("/admin/", "系统管理"),
}
ACTIVIST_HOME, REVIEWER_HOME = HOMES["a1"][0], HOMES["r1"][0]
NEW_PASSWORD = "brand-new-pass-1"


def test_login_page_is_chinese(client):
    resp = client.get("/login")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    for text in ("登录汇报", "学号 / 工号", "密码", 'lang="zh-CN"'):
        assert text in html


@pytest.mark.parametrize(("username", "home"), [(u, h) for u, (h, _) in HOMES.items()])
def test_login_sends_each_role_home(client, auth, people, username, home):
    resp = auth.login(username)
    assert resp.status_code == 302 and resp.location == "/"
    resp = client.get("/")
    assert resp.status_code == 302 and resp.location == home


@pytest.mark.parametrize(("username", "home", "text"), [(u, *h) for u, h in HOMES.items()])
def test_home_pages_are_chinese(client, auth, people, username, home, text):
    auth.login(username)
    resp = client.get(home)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert text in html
    assert "退出" in html  # the logout button of the top bar


def test_reviewer_home_names_their_branches(client, auth, people):
    auth.login("r1")
    assert "负责支部：一支部" in client.get(REVIEWER_HOME).get_data(as_text=True)


def test_activist_home_lists_open_period(client, auth, people):
    auth.login("a1")
    assert "2026年第四季度" in client.get(ACTIVIST_HOME).get_data(as_text=True)


def test_lang_en_switches_to_the_english_catalogue(client):
    # The app reads the catalogue compiled for this run (tests/fixtures/app.py `translations`),
    # whether or not `make install` left a .mo in the source tree.
    html = client.get("/login?lang=en").get_data(as_text=True)
    assert "登录汇报" not in html
    with client.session_transaction() as session:
        assert session["lang"] == "en"
    client.get("/login?lang=zh_CN")
    with client.session_transaction() as session:
        assert session["lang"] == "zh_CN"
    assert 'lang="zh-CN"' in client.get("/login").get_data(as_text=True)


def test_unknown_lang_is_ignored(client):
    html = client.get("/login?lang=xx").get_data(as_text=True)
    assert "登录汇报" in html and 'lang="zh-CN"' in html
    with client.session_transaction() as session:
        assert "lang" not in session


def test_bad_password_is_refused_in_chinese(client, auth, people):
    resp = auth.login("a1", "wrong-password")
    assert resp.status_code == 200
    assert "学号/工号或密码不正确。" in resp.get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert client.get("/").location.startswith("/login")


def test_unknown_user_is_refused_like_a_bad_password(client, auth, people):
    resp = auth.login("nobody")
    assert "学号/工号或密码不正确。" in resp.get_data(as_text=True)


def test_empty_form_shows_chinese_errors(client, people):
    html = client.post("/login", data={}).get_data(as_text=True)
    assert "请输入学号或工号。" in html and "请输入密码。" in html


def test_deactivated_user_cannot_log_in(client, auth, people):
    people["activist"].active = False
    db.session.commit()
    resp = auth.login("a1")
    assert resp.status_code == 200
    assert "学号/工号或密码不正确。" in resp.get_data(as_text=True)


def test_deactivated_user_is_logged_out(client, auth, people):
    auth.login("a1")
    assert client.get(ACTIVIST_HOME).status_code == 200
    people["activist"].active = False
    db.session.commit()
    resp = client.get(ACTIVIST_HOME)
    assert resp.status_code == 302 and resp.location.startswith("/login")


def test_login_records_last_login(client, auth, people):
    assert people["activist"].last_login_at is None
    auth.login("a1")
    db.session.expire_all()
    assert db.session.get(User, people["activist"].id).last_login_at is not None


def test_username_is_trimmed(client, people):
    resp = client.post("/login", data={"username": "  a1 ", "password": PASSWORD})
    assert resp.status_code == 302


def test_login_follows_safe_next(client, people):
    resp = client.post("/login?next=/password", data={"username": "r1", "password": PASSWORD})
    assert resp.location == "/password"


@pytest.mark.parametrize("target", ["http://evil.example/", "//evil.example/x", "queue"])
def test_login_refuses_open_redirect(client, people, target):
    resp = client.post(
        "/login", query_string={"next": target}, data={"username": "r1", "password": PASSWORD}
    )
    assert resp.location == "/"


def test_anonymous_page_redirects_with_next(client):
    resp = client.get("/password")
    assert resp.status_code == 302
    assert resp.location == "/login?next=%2Fpassword"


def test_logged_in_user_visiting_login_goes_home(client, auth, people):
    auth.login("a1")
    resp = client.get("/login")
    assert resp.status_code == 302 and resp.location == "/"


def test_logout(client, auth, people):
    auth.login("a1")
    resp = auth.logout()
    assert resp.status_code == 302 and resp.location == "/login"
    assert "您已退出登录。" in client.get("/login").get_data(as_text=True)
    assert client.get(ACTIVIST_HOME).location.startswith("/login")


def test_logout_needs_post(client, auth, people):
    auth.login("a1")
    assert client.get("/logout").status_code == 405
    assert client.get(ACTIVIST_HOME).status_code == 200


# -- forced password change ---------------------------------------------------------------


@pytest.fixture
def imported(people):
    """An activist imported from a roster, still on the one-time password."""
    from review.services.roster import import_roster

    csv = "学号,姓名,支部,角色,初始密码\n2024009,钱多多,一支部,入党积极分子,one-time-pw\n"
    result = import_roster("roster.csv", csv.encode())
    assert result.created == [("2024009", "钱多多", "one-time-pw")]
    return db.session.scalar(db.select(User).where(User.username == "2024009"))


def _change(client, current, new, confirm=None):
    return client.post(
        "/password",
        data={"current": current, "new": new, "confirm": new if confirm is None else confirm},
    )


def test_first_login_goes_to_password_change(client, auth, imported):
    assert imported.must_change_password
    resp = auth.login("2024009", "one-time-pw")
    assert resp.status_code == 302 and resp.location == "/password"
    html = client.get("/password").get_data(as_text=True)
    assert "首次登录请先修改初始密码。" in html and "修改密码" in html


@pytest.mark.parametrize("path", ["/", *(home for home, _ in HOMES.values())])
def test_pages_redirect_until_changed(client, auth, imported, path):
    auth.login("2024009", "one-time-pw")
    resp = client.get(path)
    assert resp.status_code == 302 and resp.location == "/password"


def test_api_is_not_redirected_while_change_pending(client, auth, imported):
    auth.login("2024009", "one-time-pw")
    resp = client.get("/api/v1/me")
    assert (
        resp.status_code == 403 and resp.get_json()["error"]["code"] == "password_change_required"
    )


def test_logout_allowed_while_change_pending(client, auth, imported):
    auth.login("2024009", "one-time-pw")
    assert auth.logout().location == "/login"


def test_wrong_current_password(client, auth, imported):
    auth.login("2024009", "one-time-pw")
    resp = _change(client, "not-my-password", NEW_PASSWORD)
    assert resp.status_code == 200
    assert "当前密码不正确。" in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, imported.id).must_change_password


@pytest.mark.parametrize(
    ("new", "confirm", "message"),
    [
        ("short", "short", "新密码至少需要 10 个字符。"),
        (NEW_PASSWORD, "something-else", "两次输入的新密码不一致。"),
        ("one-time-pw", "one-time-pw", "新密码不能与当前密码相同。"),
    ],
)
def test_bad_new_password(client, auth, imported, new, confirm, message):
    auth.login("2024009", "one-time-pw")
    resp = _change(client, "one-time-pw", new, confirm)
    assert resp.status_code == 200
    assert message in resp.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, imported.id).must_change_password


def test_password_change_clears_the_flag(client, auth, imported):
    auth.login("2024009", "one-time-pw")
    resp = _change(client, "one-time-pw", NEW_PASSWORD)
    assert resp.status_code == 302 and resp.location == "/"
    db.session.expire_all()
    user = db.session.get(User, imported.id)
    assert not user.must_change_password
    assert user.check_password(NEW_PASSWORD) and not user.check_password("one-time-pw")
    assert client.get("/").location == ACTIVIST_HOME
    html = client.get(ACTIVIST_HOME).get_data(as_text=True)
    assert "密码已修改。" in html
    auth.logout()
    assert auth.login("2024009", NEW_PASSWORD).location == "/"


def test_password_page_needs_login(client):
    resp = client.get("/password")
    assert resp.status_code == 302 and resp.location.startswith("/login")


# -- cookies and hashes --------------------------------------------------------------------


def _session_cookie(resp) -> str:
    cookies = [h for h in resp.headers.getlist("Set-Cookie") if h.startswith("session=")]
    assert cookies, resp.headers
    return cookies[0]


def test_session_cookie_flags(client, auth, people):
    cookie = _session_cookie(auth.login("a1"))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # TestConfig: plain http


def test_session_cookie_secure_when_configured(make_app, people):
    app = make_app(SESSION_COOKIE_SECURE=True)
    client = app.test_client()
    resp = client.post(
        "/login", data={"username": "a1", "password": PASSWORD}, base_url="https://localhost"
    )
    cookie = _session_cookie(resp)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_remember_cookie_settings(app):
    assert app.config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"


def test_passwords_are_argon2id(people):
    for key in ("activist", "reviewer", "committee", "admin"):
        assert people[key].password_hash.startswith("$argon2id$")
    assert PASSWORD not in people["activist"].password_hash


def test_production_hasher_is_argon2id():
    hasher = PasswordHasher()  # what review.models.user uses outside the tests
    assert hasher.type is Type.ID
    assert extract_parameters(hasher.hash("x")).type is Type.ID


def test_corrupt_hash_does_not_crash(people):
    user = people["activist"]
    user.password_hash = "not-a-hash"
    db.session.commit()
    assert accounts.authenticate("a1", PASSWORD) is None
