"""Accounts: branches, users, authentication and password changes."""

from __future__ import annotations

import pytest

from review.exceptions import ConflictError, NotFoundError, ValidationError
from review.extensions import db
from review.models import Branch, Role, User
from review.services import accounts
from tests.fixtures.app import PASSWORD


def _message(info) -> str:
    return str(info.value.message)


def test_create_branch(app):
    branch = accounts.create_branch("  三支部 ")
    assert branch.id and branch.name == "三支部"
    assert accounts.get_branch_by_name("三支部 ") is branch


def test_duplicate_branch(people):
    with pytest.raises(ConflictError) as info:
        accounts.create_branch("一支部")
    assert _message(info) == "支部“一支部”已存在。"
    assert info.value.status == 409


def test_empty_branch_name(app):
    with pytest.raises(ValidationError) as info:
        accounts.create_branch("  ")
    assert _message(info) == "支部名称不能为空。"


def test_unknown_branch(app):
    with pytest.raises(NotFoundError) as info:
        accounts.get_branch_by_name("五支部")
    assert _message(info) == "找不到支部“五支部”。"


def test_create_activist(people):
    user = accounts.create_user(" 2024001 ", " 李明 ", "activist", PASSWORD, ["一支部"])
    assert (user.username, user.name, user.role) == ("2024001", "李明", "activist")
    assert user.branch.name == "一支部" and user.reviewer_of == []
    assert user.active and not user.must_change_password
    assert user.password_hash.startswith("$argon2id$") and user.check_password(PASSWORD)


def test_create_reviewer_of_two_branches(people):
    user = accounts.create_user("T1", "王老师", Role.REVIEWER, PASSWORD, ["一支部", "二支部"])
    assert user.branch is None
    assert {b.name for b in user.reviewer_of} == {"一支部", "二支部"}
    assert user.reviewable_branch_ids() == {b.id for b in db.session.scalars(db.select(Branch))}


@pytest.mark.parametrize("role", ["committee", "admin"])
def test_create_without_branch(app, role):
    user = accounts.create_user("x", "某人", role, PASSWORD)
    assert user.role == role and user.branch is None and user.reviewer_of == []


def test_must_change_password_flag(people):
    user = accounts.create_user(
        "n1", "新人", "activist", PASSWORD, ["一支部"], must_change_password=True
    )
    assert user.must_change_password


def test_create_without_commit_can_be_rolled_back(people):
    accounts.create_user("n2", "新人", "committee", PASSWORD, commit=False)
    db.session.rollback()
    assert db.session.scalar(db.select(User).where(User.username == "n2")) is None


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        (("", "某人", "committee", PASSWORD), ValidationError, "账号和姓名不能为空。"),
        (("u", " ", "committee", PASSWORD), ValidationError, "账号和姓名不能为空。"),
        (("u", "某人", "boss", PASSWORD), ValidationError, "未知角色“boss”。"),
        (("u", "某人", "committee", "short"), ValidationError, "密码至少需要 10 个字符。"),
        (("a1", "某人", "committee", PASSWORD), ConflictError, "账号“a1”已存在。"),
        (("u", "某人", "activist", PASSWORD, ["三支部"]), NotFoundError, "找不到支部“三支部”。"),
        (
            ("u", "某人", "activist", PASSWORD),
            ValidationError,
            "入党积极分子必须属于且只属于一个支部。",
        ),
        (
            ("u", "某人", "activist", PASSWORD, ["一支部", "二支部"]),
            ValidationError,
            "入党积极分子必须属于且只属于一个支部。",
        ),
    ],
)
def test_create_user_refusals(people, args, error, message):
    before = db.session.scalar(db.select(db.func.count()).select_from(User))
    with pytest.raises(error) as info:
        accounts.create_user(*args)
    assert _message(info).startswith(message)
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == before


def test_authenticate(people):
    user = accounts.authenticate(" a1 ", PASSWORD)
    assert user is people["activist"]
    assert user.last_login_at is not None


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("a1", "wrong-password"),
        ("nobody", PASSWORD),
        ("a1", ""),
        ("A1", PASSWORD),
    ],
)
def test_authenticate_refuses(people, username, password):
    assert accounts.authenticate(username, password) is None


def test_authenticate_refuses_inactive(people):
    people["activist"].active = False
    db.session.commit()
    assert accounts.authenticate("a1", PASSWORD) is None


def test_change_password(people):
    user = people["activist"]
    user.must_change_password = True
    db.session.commit()
    accounts.change_password(user.id, PASSWORD, "a-new-password")
    assert user.check_password("a-new-password") and not user.check_password(PASSWORD)
    assert not user.must_change_password


@pytest.mark.parametrize(
    ("current", "new", "message"),
    [
        ("wrong-password", "a-new-password", "当前密码不正确。"),
        (PASSWORD, "short", "密码至少需要 10 个字符。"),
        (PASSWORD, PASSWORD, "新密码不能与当前密码相同。"),
    ],
)
def test_change_password_refusals(people, current, new, message):
    with pytest.raises(ValidationError) as info:
        accounts.change_password(people["activist"].id, current, new)
    assert _message(info).startswith(message)
    assert people["activist"].check_password(PASSWORD)


def test_change_password_unknown_user(app):
    with pytest.raises(ValidationError):
        accounts.change_password(999999, PASSWORD, "a-new-password")


def test_has_role(people):
    reviewer = people["reviewer"]
    assert reviewer.has_role(Role.REVIEWER) and reviewer.has_role("reviewer", "admin")
    assert not reviewer.has_role(Role.ACTIVIST, Role.COMMITTEE)
    with pytest.raises(ValueError):
        reviewer.has_role("boss")
