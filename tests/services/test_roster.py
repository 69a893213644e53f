"""Roster import: CSV (UTF-8, BOM, GBK) or XLSX; every bad row reported, nothing half-imported."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from review.exceptions import RosterError
from review.extensions import db
from review.models import User
from review.services.roster import import_roster, read_rows

CJK = re.compile(r"[\u4e00-\u9fff]")
HEADER = "学号,姓名,支部,角色"
GOOD = """学号,姓名,支部,角色
2024001,李明,一支部,入党积极分子
2024002,赵红,二支部,积极分子
T2001,王老师,一支部、二支部,审阅人
C2001,张书记,,党委
"""


@pytest.fixture
def branches(people):
    return people


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def _user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))


def _errors(data: str | bytes, filename: str = "roster.csv") -> list[tuple[int, str]]:
    before = _count()
    with pytest.raises(RosterError) as info:
        import_roster(filename, data.encode() if isinstance(data, str) else data)
    assert _count() == before, "a failed import must create nothing"
    assert CJK.search(str(info.value.message))
    return info.value.errors


def test_good_rows_are_imported(branches):
    before = _count()
    result = import_roster("roster.csv", GOOD.encode())
    assert _count() == before + 4
    assert [(u, n) for u, n, _ in result.created] == [
        ("2024001", "李明"),
        ("2024002", "赵红"),
        ("T2001", "王老师"),
        ("C2001", "张书记"),
    ]
    assert result.skipped == []
    for username, _name, password in result.created:
        user = _user(username)
        assert user.must_change_password
        assert len(password) >= 10 and user.check_password(password)
        assert user.password_hash.startswith("$argon2id$")
    assert len({p for _, _, p in result.created}) == 4, "one-time passwords must differ"
    assert _user("2024001").role == "activist" and _user("2024001").branch.name == "一支部"
    assert _user("2024002").branch.name == "二支部"
    reviewer = _user("T2001")
    assert reviewer.role == "reviewer" and reviewer.branch is None
    assert sorted(b.name for b in reviewer.reviewer_of) == ["一支部", "二支部"]
    assert _user("C2001").role == "committee"


def test_initial_password_column_is_used(branches):
    data = (
        "学号,姓名,支部,角色,初始密码\n2024001,李明,一支部,入党积极分子,given-pass-1\n"
        "2024002,赵红,二支部,入党积极分子,\n"
    )
    result = import_roster("roster.csv", data.encode())
    assert result.created[0] == ("2024001", "李明", "given-pass-1")
    assert _user("2024001").check_password("given-pass-1")
    assert result.created[1][2] and _user("2024002").check_password(result.created[1][2])


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings(branches, encoding):
    result = import_roster("名单.csv", GOOD.encode(encoding))
    assert [n for _, n, _ in result.created] == ["李明", "赵红", "王老师", "张书记"]
    assert _user("T2001").name == "王老师"


def test_crlf_and_spaces(branches):
    data = " 学号 , 姓名 ,支部,角色\r\n 2024001 , 李明 , 一支部 , 入党积极分子 \r\n"
    result = import_roster("roster.csv", data.encode())
    assert result.created[0][:2] == ("2024001", "李明")


def _xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx(branches):
    data = _xlsx(
        [
            ["学号", "姓名", "支部", "角色"],
            [2024001, "李明", "一支部", "入党积极分子"],
            [None, None, None, None],
            ["T2001", "王老师", "一支部，二支部", "培养联系人"],
        ]
    )
    result = import_roster("名单.xlsx", data)
    assert [u for u, _, _ in result.created] == ["2024001", "T2001"]
    assert len(_user("T2001").reviewer_of) == 2


def test_xlsx_errors_have_sheet_row_numbers(branches):
    data = _xlsx(
        [
            ["学号", "姓名", "支部", "角色"],
            ["2024001", "李明", "一支部", "入党积极分子"],
            [None, None, None, None],
            ["2024002", "赵红", "三支部", "入党积极分子"],
        ]
    )
    assert [line for line, _ in _errors(data, "roster.xlsx")] == [4]


def test_damaged_xlsx(branches):
    with pytest.raises(RosterError) as info:
        import_roster("roster.xlsx", b"PK\x03\x04 not really a workbook")
    assert str(info.value.message) == "无法读取该 XLSX 文件，请确认文件未损坏。"
    assert info.value.errors == []


def test_bad_rows_reported_with_line_numbers_and_nothing_imported(branches):
    data = """学号,姓名,支部,角色
2024001,李明,一支部,入党积极分子
2024002,赵红,三支部,入党积极分子
2024003,孙亮,一支部,学生
2024004,周强,一支部、二支部,入党积极分子
2024001,李明明,一支部,入党积极分子
2024006,,一支部,入党积极分子
,吴涛,一支部,入党积极分子
2024 008,郑阳,一支部,入党积极分子
2024009,钱多,,入党积极分子
"""
    errors = _errors(data)
    by_line: dict[int, list[str]] = {}
    for line, message in errors:
        by_line.setdefault(line, []).append(message)
    assert set(by_line) == {3, 4, 5, 6, 7, 8, 9, 10}
    assert by_line[3] == ["支部“三支部”不存在，请先创建该支部"]
    assert "角色“学生”无法识别" in by_line[4][0]
    assert by_line[5] == ["入党积极分子须填写且只填写一个支部"]
    assert by_line[6] == ["学号“2024001”与第 2 行重复"]
    assert by_line[7] == ["姓名为空"]
    assert by_line[8] == ["学号为空"]
    assert "只能包含字母、数字" in by_line[9][0]
    assert by_line[10] == ["入党积极分子须填写且只填写一个支部"]
    assert _user("2024001") is None


def test_error_summary_is_chinese(branches):
    with pytest.raises(RosterError) as info:
        import_roster("r.csv", f"{HEADER}\n1,甲,无,入党积极分子\n2,乙,无,入党积极分子\n".encode())
    assert str(info.value.message) == "名单中有 2 处错误，未导入任何账号。"
    assert info.value.code == "roster_invalid" and info.value.status == 400


def test_several_problems_in_one_row(branches):
    errors = _errors(f"{HEADER}\n2024001,,三支部,谁\n")
    assert [line for line, _ in errors] == [2, 2, 2]


def test_short_initial_password(branches):
    errors = _errors("学号,姓名,支部,角色,初始密码\n2024001,李明,一支部,入党积极分子,short\n")
    assert len(errors) == 1 and errors[0][0] == 2
    assert errors[0][1].startswith("初始密码不合格：密码至少需要 10 个字符。")


def test_unknown_branch_for_reviewer(branches):
    errors = _errors(f"{HEADER}\nT2001,王老师,一支部、三支部,审阅人\n")
    assert errors == [(2, "支部“三支部”不存在，请先创建该支部")]


@pytest.mark.parametrize("header", ["学号,姓名,角色", "id,name,branch,role", ""])
def test_missing_columns(branches, header):
    errors = _errors(f"{header}\n2024001,李明,入党积极分子\n")
    assert errors == [(1, "表头不完整")]


def test_undecodable_csv(branches):
    with pytest.raises(RosterError) as info:
        import_roster("roster.csv", b"\xff\xfe\xff\x00\x81")
    assert str(info.value.message).startswith("无法识别文件编码")
    assert info.value.errors == []


def test_existing_accounts_are_skipped(branches):
    original = branches["activist"].password_hash
    data = f"{HEADER}\na1,李明,一支部,入党积极分子\n2024002,赵红,二支部,入党积极分子\n"
    result = import_roster("roster.csv", data.encode())
    assert result.skipped == [(2, "a1")]
    assert [u for u, _, _ in result.created] == ["2024002"]
    db.session.expire_all()
    a1 = _user("a1")
    assert a1.password_hash == original and not a1.must_change_password


def test_importing_twice_skips_everything(branches):
    import_roster("roster.csv", GOOD.encode())
    again = import_roster("roster.csv", GOOD.encode())
    assert again.created == [] and [u for _, u in again.skipped] == [
        "2024001",
        "2024002",
        "T2001",
        "C2001",
    ]


def test_existing_account_row_is_still_checked(branches):
    errors = _errors(f"{HEADER}\na1,李明,三支部,入党积极分子\n")
    assert errors == [(2, "支部“三支部”不存在，请先创建该支部")]


def test_role_aliases(branches):
    rows = [
        ("x1", "入党积极分子", "一支部"),
        ("x2", "activist", "一支部"),
        ("x3", "支部审阅人", "一支部"),
        ("x4", "reviewer", "二支部"),
        ("x5", "组织部", ""),
        ("x6", "committee", ""),
        ("x7", "管理员", ""),
        ("x8", "admin", ""),
    ]
    data = HEADER + "\n" + "".join(f"{u},某人,{b},{r}\n" for u, r, b in rows)
    import_roster("roster.csv", data.encode())
    assert [_user(u).role for u, _, _ in rows] == [
        "activist",
        "activist",
        "reviewer",
        "reviewer",
        "committee",
        "committee",
        "admin",
        "admin",
    ]


def test_blank_rows_are_ignored(branches):
    data = f"{HEADER}\n2024001,李明,一支部,入党积极分子\n,,,\n2024002,赵红,二支部,入党积极分子\n"
    assert len(import_roster("roster.csv", data.encode()).created) == 2


def test_trailing_comma_in_a_row(branches):
    data = f"{HEADER}\n2024001,李明,一支部,入党积极分子,\n"
    assert [u for u, _, _ in import_roster("roster.csv", data.encode()).created] == ["2024001"]


def test_line_numbers_count_empty_lines(branches):
    data = f"{HEADER}\n2024001,李明,一支部,入党积极分子\n\n2024002,赵红,三支部,入党积极分子\n"
    assert _errors(data) == [(4, "支部“三支部”不存在，请先创建该支部")]


def test_read_rows_strips_and_decodes():
    rows = read_rows("r.csv", "学号,姓名\n 1 , 甲 \n".encode("gbk"))
    assert rows == [(2, {"学号": "1", "姓名": "甲"})]


def test_unreadable_csv_is_a_roster_error(branches):
    with pytest.raises(RosterError) as info:
        import_roster("r.csv", f"{HEADER}\n".encode() + b"x" * 200_000)
    assert str(info.value.message).startswith("第 2 行无法按 CSV 读取")
