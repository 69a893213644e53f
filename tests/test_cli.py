"""flask commands: branch, user, roster, period, seed-demo."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from review.extensions import db
from review.models import Branch, Criterion, Period, User
from tests.fixtures.app import PASSWORD

CRITERIA = ["入党动机", "对党的认识", "学习情况", "参加活动的心得体会", "入党誓词"]


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _user(username: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == username))


def _fails(result, message: str) -> None:
    assert result.exit_code != 0, result.output
    assert message in result.output, result.output


# -- branch ------------------------------------------------------------------------------------


def test_branch_create(runner, app):
    result = runner.invoke(args=["branch", "create", "三支部"])
    assert result.exit_code == 0, result.output
    branch = db.session.scalar(select(Branch).where(Branch.name == "三支部"))
    assert result.output == f"{branch.id}\t三支部\n"


def test_branch_create_duplicate(runner, people):
    _fails(runner.invoke(args=["branch", "create", "一支部"]), "支部“一支部”已存在。")


def test_branch_create_empty(runner, app):
    _fails(runner.invoke(args=["branch", "create", " "]), "支部名称不能为空。")


# -- user --------------------------------------------------------------------------------------


def test_user_create_activist(runner, people):
    result = runner.invoke(
        args=[
            "user",
            "create",
            "2024001",
            "--name",
            "李明",
            "--role",
            "activist",
            "--branch",
            "一支部",
            "--password",
            PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output
    user = _user("2024001")
    assert result.output == f"{user.id}\t2024001\tactivist\n"
    assert user.branch.name == "一支部" and not user.must_change_password
    assert user.check_password(PASSWORD)


def test_user_create_reviewer_many_branches(runner, people):
    result = runner.invoke(
        args=[
            "user",
            "create",
            "T1",
            "--name",
            "王老师",
            "--role",
            "reviewer",
            "--branch",
            "一支部",
            "--branch",
            "二支部",
            "--password",
            PASSWORD,
            "--must-change-password",
        ]
    )
    assert result.exit_code == 0, result.output
    user = _user("T1")
    assert {b.name for b in user.reviewer_of} == {"一支部", "二支部"}
    assert user.must_change_password


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--role", "activist", "--password", PASSWORD], "入党积极分子必须属于且只属于一个支部。"),
        (
            ["--role", "activist", "--branch", "九支部", "--password", PASSWORD],
            "找不到支部“九支部”。",
        ),
        (["--role", "committee", "--password", "short"], "密码至少需要 10 个字符。"),
    ],
)
def test_user_create_refusals(runner, people, extra, message):
    result = runner.invoke(args=["user", "create", "u1", "--name", "某人", *extra])
    _fails(result, message)
    assert _user("u1") is None


def test_user_create_duplicate(runner, people):
    result = runner.invoke(
        args=[
            "user",
            "create",
            "a1",
            "--name",
            "某人",
            "--role",
            "committee",
            "--password",
            PASSWORD,
        ]
    )
    _fails(result, "账号“a1”已存在。")


def test_user_create_bad_role_is_a_usage_error(runner, people):
    result = runner.invoke(
        args=["user", "create", "u1", "--name", "某人", "--role", "boss", "--password", PASSWORD]
    )
    assert result.exit_code == 2 and "boss" in result.output


# -- roster ------------------------------------------------------------------------------------

ROSTER = (
    "学号,姓名,支部,角色\n2024001,李明,一支部,入党积极分子\nT2001,王老师,一支部、二支部,审阅人\n"
)


def test_roster_import_prints_passwords(runner, people, tmp_path):
    path = tmp_path / "名单.csv"
    path.write_bytes(ROSTER.encode("gbk"))
    result = runner.invoke(args=["roster", "import", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "学号,姓名,初始密码"
    rows = [line.split(",") for line in lines[1:3]]
    assert [r[:2] for r in rows] == [["2024001", "李明"], ["T2001", "王老师"]]
    assert _user("2024001").check_password(rows[0][2])
    assert _user("2024001").must_change_password
    assert lines[3] == "导入 2 个账号，跳过已存在的 0 个。"


def test_roster_import_passwords_out(runner, people, tmp_path):
    path, out = tmp_path / "r.csv", tmp_path / "passwords.csv"
    path.write_text(
        "学号,姓名,支部,角色\na1,李明,一支部,入党积极分子\n2024002,赵红,二支部,入党积极分子\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["roster", "import", str(path), "--passwords-out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == "导入 1 个账号，跳过已存在的 1 个。\n"
    assert out.stat().st_mode & 0o777 == 0o600
    raw = out.read_bytes()
    assert raw.startswith("\ufeff".encode())  # Excel opens UTF-8 with a BOM correctly
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "学号,姓名,初始密码" and lines[1].startswith("2024002,赵红,")
    assert _user("2024002").check_password(lines[1].split(",")[2])


def test_roster_import_errors(runner, people, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(
        "学号,姓名,支部,角色\n2024001,李明,三支部,入党积极分子\n2024002,赵红,二支部,学生\n",
        encoding="utf-8",
    )
    before = _count(User)
    result = runner.invoke(args=["roster", "import", str(path)])
    _fails(result, "第 2 行: 支部“三支部”不存在，请先创建该支部")
    assert "第 3 行: 角色“学生”无法识别" in result.output
    assert "名单中有 2 处错误，未导入任何账号。" in result.output
    assert _count(User) == before


def test_roster_import_missing_file(runner, app, tmp_path):
    result = runner.invoke(args=["roster", "import", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2


# -- period ------------------------------------------------------------------------------------


def _open(runner, *extra: str, name: str = "2026年第四季度"):
    return runner.invoke(
        args=["period", "open", name, "--opens", "2026-10-01", "--closes", "2026-12-31", *extra]
    )


def test_period_open(runner, app):
    result = _open(runner)
    assert result.exit_code == 0, result.output
    period = db.session.get(Period, int(result.output.strip()))
    assert period.name == "2026年第四季度"
    assert period.oath_required and not period.double_marking
    criteria = sorted(period.rubric_version.criteria, key=lambda c: c.position)
    assert [c.title for c in criteria] == CRITERIA
    assert {c.max_points for c in criteria} == {app.config["RUBRIC_MAX_POINTS"]}
    assert all(len(c.descriptors) == 3 for c in criteria)
    opens = period.opens_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    closes = period.closes_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    assert (opens.date(), opens.hour) == (date(2026, 10, 1), 0)
    assert (closes.date(), closes.hour, closes.minute) == (date(2026, 12, 31), 23, 59)


def test_period_open_options(runner, app):
    result = _open(runner, "--no-oath", "--double-marking", "--max-points", "10")
    assert result.exit_code == 0, result.output
    period = db.session.get(Period, int(result.output.strip()))
    assert not period.oath_required and period.double_marking
    assert [c.max_points for c in period.rubric_version.criteria] == [10] * 5


def test_each_period_gets_its_own_rubric(runner, app):
    first = int(_open(runner).output)
    second = int(_open(runner, name="2027年第一季度").output)
    assert _count(Criterion) == 10
    assert (
        db.session.get(Period, first).rubric_version_id
        != db.session.get(Period, second).rubric_version_id
    )


def test_period_open_closes_before_opens(runner, app):
    result = runner.invoke(
        args=["period", "open", "P", "--opens", "2026-12-31", "--closes", "2026-10-01"]
    )
    _fails(result, "截止时间必须晚于开始时间。")
    assert _count(Period) == 0


def test_period_open_bad_date(runner, app):
    result = runner.invoke(
        args=["period", "open", "P", "--opens", "2026/10/01", "--closes", "2026-12-31"]
    )
    assert result.exit_code == 2


def test_period_open_empty_name(runner, app):
    _fails(_open(runner, name="  "), "周期名称不能为空。")


# -- seed-demo ---------------------------------------------------------------------------------


def test_seed_demo_is_idempotent(runner, app):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert first.output == "演示数据已创建。\n"
    users, periods, branches = _count(User), _count(Period), _count(Branch)
    assert (users, periods, branches) == (4, 1, 2)
    assert {u.role for u in db.session.scalars(select(User))} == {
        "activist",
        "reviewer",
        "committee",
        "admin",
    }
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0 and second.output == "演示数据已存在，未重复创建。\n"
    assert (_count(User), _count(Period), _count(Branch)) == (users, periods, branches)


def test_seed_demo_period_is_open(runner, app):
    from review.services.periods import open_periods

    runner.invoke(args=["seed-demo"])
    (period,) = open_periods()
    assert period.closes_at.date() >= date.today() + timedelta(days=59)
    assert len(period.rubric_version.criteria) == 5


def test_seed_demo_accounts_can_log_in(runner, app):
    from review.services.accounts import authenticate
    from review.services.demo import DEMO_PASSWORD, DEMO_USERS

    runner.invoke(args=["seed-demo"])
    for username, *_ in DEMO_USERS:
        assert authenticate(username, DEMO_PASSWORD) is not None, username


def test_whisper_group_is_registered(runner):
    result = runner.invoke(args=["whisper", "--help"])
    assert result.exit_code == 0, result.output
    assert "convert" in result.output
