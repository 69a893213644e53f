"""Accounts: create users, branches, authenticate, change passwords."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from review import clock
from review.exceptions import ConflictError, NotFoundError, ValidationError
from review.extensions import db
from review.models import Branch, Role, User
from review.models.user import check_password_of_nobody
from review.services import events, throttle
from review.services.notifications.prefs import normalise_email
from review.services.passwords import check_strength
from review.services.tokens import revoke_all


def create_branch(name: str) -> Branch:
    """Create a branch; its name must be new."""
    name = name.strip()
    if not name:
        raise ValidationError(_l("支部名称不能为空。"))
    if db.session.scalar(select(Branch).where(Branch.name == name)):
        raise ConflictError(_l("支部“%(name)s”已存在。", name=name))
    branch = Branch(name=name)
    db.session.add(branch)
    db.session.commit()
    return branch


def get_branch_by_name(name: str) -> Branch:
    """Return the branch called name or raise NotFoundError."""
    branch = db.session.scalar(select(Branch).where(Branch.name == name.strip()))
    if branch is None:
        raise NotFoundError(_l("找不到支部“%(name)s”。", name=name))
    return branch


def validate_password(password: str, username: str = "", name: str = "") -> None:
    """Refuse passwords that are short or easy to guess (see services.passwords)."""
    check_strength(password, username=username, name=name)


def create_user(
    username: str,
    name: str,
    role: str,
    password: str,
    branches: list[str] | tuple[str, ...] = (),
    *,
    must_change_password: bool = False,
    commit: bool = True,
    email: str | None = None,
) -> User:
    """Create a user; activists belong to one branch, reviewers review one or more."""
    username, name = username.strip(), name.strip()
    if not username or not name:
        raise ValidationError(_l("账号和姓名不能为空。"))
    try:
        role = Role(role).value
    except ValueError:
        raise ValidationError(_l("未知角色“%(role)s”。", role=role)) from None
    validate_password(password, username, name)
    if db.session.scalar(select(User).where(User.username == username)):
        raise ConflictError(_l("账号“%(username)s”已存在。", username=username))
    found = [get_branch_by_name(b) for b in branches]
    if role == Role.ACTIVIST.value and len(found) != 1:
        raise ValidationError(_l("入党积极分子必须属于且只属于一个支部。"))
    user = User(
        username=username,
        name=name,
        role=role,
        must_change_password=must_change_password,
        email=normalise_email(email),
    )
    user.set_password(password)
    if role == Role.ACTIVIST.value:
        user.branch = found[0]
    elif role == Role.REVIEWER.value:
        user.reviewer_of = found
    db.session.add(user)
    if commit:
        db.session.commit()
    return user


def authenticate(username: str, password: str, address: str | None = None) -> User | None:
    """Return the active user with these credentials, or None; failures are throttled.

    Raises:
        LoginThrottledError: the account or the address (the client's IP) must wait.
    """
    username = username.strip()
    throttle.check(username, address)
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        ok = check_password_of_nobody(password)  # as slow as a real check
    else:
        ok = user.check_password(password)
    if not ok or user is None:  # no account: check_password_of_nobody said False
        throttle.record_failure(username, address)
        return None
    throttle.record_success(username)
    user.last_login_at = clock.now()
    db.session.commit()
    return user


def change_password(user_id: int, current: str, new: str) -> None:
    """Change a user's password after checking the current one; end all its sessions."""
    user = db.session.get(User, user_id)
    if user is None or not user.check_password(current):
        raise ValidationError(_l("当前密码不正确。"))
    if current == new:
        raise ValidationError(_l("新密码不能与当前密码相同。"))
    validate_password(new, user.username, user.name)
    user.set_password(new)
    user.must_change_password = False
    end_sessions(user)
    events.password_changed(user, "own")
    db.session.commit()


def end_sessions(user: User) -> None:
    """End every session cookie and API token of user (the caller commits)."""
    user.end_sessions()
    revoke_all(user.id)


def log_out_everywhere(user_id: int) -> None:
    """End the user's sessions on every device (logout: a copied cookie stops working too)."""
    user = db.session.get(User, user_id)
    if user is not None:
        user.end_sessions()
        db.session.commit()
