"""Password strength: zxcvbn plus Chinese habits, the person's own 学号 and name; everywhere."""

from __future__ import annotations

import pytest

from review.exceptions import ValidationError
from review.extensions import db
from review.models import User
from review.services import accounts, admin, passwords
from review.services.roster import import_roster
from tests.fixtures.app import PASSWORD

TIP = "请换一个至少 10 个字符、不含学号和姓名的密码"


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("12345678", "密码至少需要 10 个字符。"),
        ("1234567890", "是常见密码"),
        ("woaini1314", "是常见密码，例如 woaini1314、qwertyuiop"),
        ("qwertyuiop", "是常见密码"),
        ("5201314woaini", "是常见密码"),
        ("password123", "是常见密码"),
        ("aaaaaaaaaaaa", "重复"),
        ("2024001liming", "包含了学号、工号或姓名拼音"),
        ("liming-2024001", "包含了学号、工号或姓名拼音"),
        ("lanqiu-xigua-47-yuzhou", "是常见密码"),  # the message's own example
    ],
)
def test_weak_passwords_are_refused_in_chinese(app, password, reason):
    with pytest.raises(ValidationError) as info:
        passwords.check_strength(password, username="2024001", name="李明")
    message = str(info.value.message)
    assert reason in message and TIP in message, message


@pytest.mark.parametrize("password", [PASSWORD, "brand-new-pass-1", "xigua-pingguo-88-tushuguan"])
def test_good_passwords_pass(app, password):
    passwords.check_strength(password, username="2024001", name="李明")


def test_too_long_is_refused(app):
    with pytest.raises(ValidationError) as info:
        passwords.check_strength("x" * 129)
    assert str(info.value.message) == "密码不能超过 128 个字符。"


def test_generated_passwords_pass(app):
    made = {passwords.new_password("2024001", "李明") for _ in range(50)}
    assert len(made) == 50
    for password in made:
        assert len(password) == 12
        passwords.check_strength(password, username="2024001", name="李明")


def test_create_user_checks_strength(people):
    with pytest.raises(ValidationError):
        accounts.create_user("2024050", "王芳", "activist", "12345678", ["一支部"])
    with pytest.raises(ValidationError):
        accounts.create_user("2024050", "王芳", "activist", "wangfang2024050", ["一支部"])


def test_change_password_checks_strength_against_own_name(people):
    user = people["activist"]  # a1, 李明
    for weak in ("woaini1314", "12345678", "liming12345"):
        with pytest.raises(ValidationError):
            accounts.change_password(user.id, PASSWORD, weak)
    assert user.check_password(PASSWORD)


def test_web_change_form_refuses_a_weak_password(client, auth, people):
    auth.login("a1")
    resp = client.post(
        "/password", data={"current": PASSWORD, "new": "woaini1314", "confirm": "woaini1314"}
    )
    assert resp.status_code == 200 and "这个密码太容易被猜到" in resp.get_data(as_text=True)


def test_admin_reset_and_create_generate_strong_passwords(people):
    user = people["activist"]
    password = admin.reset_password(user.id, people["admin"].id)
    passwords.check_strength(password, username=user.username, name=user.name)
    assert db.session.get(User, user.id).check_password(password)


def test_roster_refuses_weak_initial_passwords(people):
    from review.exceptions import RosterError

    csv = "学号,姓名,支部,角色,初始密码\n2024060,周杰,一支部,入党积极分子,woaini1314\n"
    with pytest.raises(RosterError) as info:
        import_roster("r.csv", csv.encode())
    assert info.value.errors[0][0] == 2
    assert info.value.errors[0][1].startswith("初始密码不合格：这个密码太容易被猜到")


def test_roster_generated_passwords_pass(people):
    csv = (
        "学号,姓名,支部,角色\n2024061,周杰,一支部,入党积极分子\n2024062,吴静,一支部,入党积极分子\n"
    )
    result = import_roster("r.csv", csv.encode())
    for username, name, password in result.created:
        passwords.check_strength(password, username=username, name=name)


def test_cli_create_refuses_a_weak_password(runner, people):
    result = runner.invoke(
        args=[
            "user",
            "create",
            "u9",
            "--name",
            "某人",
            "--role",
            "committee",
            "--password",
            "qwertyuiop",
        ]
    )
    assert result.exit_code != 0 and "这个密码太容易被猜到" in result.output
