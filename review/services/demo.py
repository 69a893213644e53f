"""Demo data for a first `make run`: one branch, one account per role, an open period."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from review.extensions import db
from review.models import User
from review.services import accounts, periods

DEMO_PASSWORD = "huibao-demo"
DEMO_USERS = (
    ("2024001", "李明", "activist", ("计算机学院第一党支部",)),
    ("T1001", "王老师", "reviewer", ("计算机学院第一党支部",)),
    ("C001", "张书记", "committee", ()),
    ("admin", "系统管理员", "admin", ()),
)


def quarter_name(day: date) -> str:
    """Name the quarter of day the way branches do, e.g. 2026年第四季度."""
    return f"{day.year}年第{'一二三四'[(day.month - 1) // 3]}季度"


def seed_demo() -> bool:
    """Create the demo data unless it exists; return whether anything was created."""
    if db.session.scalar(select(User).where(User.username == "admin")):
        return False
    accounts.create_branch("计算机学院第一党支部")
    accounts.create_branch("机械学院第二党支部")
    for username, name, role, branches in DEMO_USERS:
        accounts.create_user(username, name, role, DEMO_PASSWORD, branches)
    today = date.today()
    periods.open_period(
        quarter_name(today),
        today - timedelta(days=7),
        today + timedelta(days=60),
        oath_required=True,
    )
    return True
