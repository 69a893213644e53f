"""Roster import: CSV or XLSX with 学号, 姓名, 支部, 角色 (邮箱, 初始密码 optional); all or none."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from review.exceptions import RosterError, ValidationError
from review.extensions import db
from review.models import Branch, Role, User
from review.services.accounts import create_user
from review.services.passwords import check_strength, new_password

COLUMNS = ("学号", "姓名", "支部", "角色")
OPTIONAL = ("邮箱", "初始密码")
EXAMPLE_MARK = "例"  # the template's example row starts so; such rows are skipped
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
ROLE_NAMES = {
    "入党积极分子": Role.ACTIVIST,
    "积极分子": Role.ACTIVIST,
    "activist": Role.ACTIVIST,
    "审阅人": Role.REVIEWER,
    "支部审阅人": Role.REVIEWER,
    "培养联系人": Role.REVIEWER,
    "reviewer": Role.REVIEWER,
    "党委": Role.COMMITTEE,
    "组织部": Role.COMMITTEE,
    "committee": Role.COMMITTEE,
    "管理员": Role.ADMIN,
    "admin": Role.ADMIN,
}
BRANCH_SPLIT = re.compile(r"[、;；,，]")


@dataclass
class RosterResult:
    """What an import did: created accounts with their one-time passwords, skipped rows."""

    created: list[tuple[str, str, str]] = field(default_factory=list)  # (学号, 姓名, password)
    skipped: list[tuple[int, str]] = field(default_factory=list)


def read_rows(filename: str, data: bytes) -> list[tuple[int, dict[str, str]]]:
    """Read a CSV (UTF-8, UTF-8 with BOM or GBK) or XLSX file into (line number, row) pairs."""
    if Path(filename).suffix.lower() in {".xlsx", ".xlsm"}:
        return _read_xlsx(data)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterError(_l("无法识别文件编码，请另存为 UTF-8 编码的 CSV 或 XLSX 文件。"), [])
    reader = csv.DictReader(io.StringIO(text))
    out = []
    try:
        for row in reader:  # the reader skips blank lines: take the line number from it
            cells = {(k or "").strip(): (v or "").strip() for k, v in row.items() if k is not None}
            out.append((reader.line_num, cells))  # k None: cells beyond the header
    except csv.Error as exc:  # e.g. a cell over the csv module's 128 KB field limit
        raise RosterError(
            _l(
                "第 %(n)d 行无法按 CSV 读取，请检查该行后另存为 CSV 或 XLSX 文件。",
                n=reader.line_num + 1,
            ),
            [],
        ) from exc
    return out


def _read_xlsx(data: bytes) -> list[tuple[int, dict[str, str]]]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise RosterError(_l("无法读取该 XLSX 文件，请确认文件未损坏。"), []) from exc
    if sheet is None:
        raise RosterError(_l("无法读取该 XLSX 文件，请确认文件未损坏。"), [])
    rows = sheet.iter_rows(values_only=True)
    header = [str(c or "").strip() for c in next(rows, [])]
    out = []
    for line, values in enumerate(rows, start=2):
        cells = ["" if v is None else str(v).strip() for v in values]
        out.append((line, dict(zip(header, cells, strict=False))))  # rows may be ragged
    return out


def import_roster(filename: str, data: bytes) -> RosterResult:
    """Check every row, then create all new accounts in one transaction.

    Raises:
        RosterError: listing (line number, message) for every bad row; nothing is imported.
    """
    rows = read_rows(filename, data)
    if not rows or any(col not in rows[0][1] for col in COLUMNS):
        raise RosterError(_l("表头必须包含：学号、姓名、支部、角色。"), [(1, _("表头不完整"))])
    branches = {b.name: b for b in db.session.scalars(select(Branch))}
    existing = set(db.session.scalars(select(User.username)))
    errors: list[tuple[int, str]] = []
    plan: list[dict[str, str]] = []
    seen: dict[str, int] = {}
    result = RosterResult()
    for line, row in rows:
        if not any(row.values()) or row.get("学号", "").startswith(EXAMPLE_MARK):
            continue
        problems = _check_row(row, branches, seen, line)
        if problems:
            errors.extend((line, p) for p in problems)
            continue
        seen[row["学号"]] = line
        if row["学号"] in existing:
            result.skipped.append((line, row["学号"]))
            continue
        plan.append(row)
    if errors:
        raise RosterError(_l("名单中有 %(n)d 处错误，未导入任何账号。", n=len(errors)), errors)
    for row in plan:
        password = row.get("初始密码") or new_password(row["学号"], row["姓名"])
        names = [b.strip() for b in BRANCH_SPLIT.split(row["支部"]) if b.strip()]
        user = create_user(
            row["学号"],
            row["姓名"],
            ROLE_NAMES[row["角色"]].value,
            password,
            names,
            must_change_password=True,
            commit=False,
        )
        user.email = row.get("邮箱") or None
        result.created.append((row["学号"], row["姓名"], password))
    db.session.commit()
    return result


def _check_row(row: dict[str, str], branches: dict, seen: dict, line: int) -> list[str]:
    problems = []
    if not row.get("学号"):
        problems.append(_("学号为空"))
    elif not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", row["学号"]):
        problems.append(_("学号“%(v)s”只能包含字母、数字和 _ . -", v=row["学号"]))
    elif row["学号"] in seen:
        problems.append(_("学号“%(v)s”与第 %(n)d 行重复", v=row["学号"], n=seen[row["学号"]]))
    if not row.get("姓名"):
        problems.append(_("姓名为空"))
    role = ROLE_NAMES.get(row.get("角色", ""))
    if role is None:
        problems.append(
            _(
                "角色“%(v)s”无法识别（可填：入党积极分子、审阅人、党委、管理员）",
                v=row.get("角色", ""),
            )
        )
    names = [b.strip() for b in BRANCH_SPLIT.split(row.get("支部", "")) if b.strip()]
    for name in names:
        if name not in branches:
            problems.append(_("支部“%(v)s”不存在，请先创建该支部", v=name))
    if role is Role.ACTIVIST and len(names) != 1:
        problems.append(_("入党积极分子须填写且只填写一个支部"))
    email = row.get("邮箱")
    if email and (len(email) > 254 or not EMAIL.fullmatch(email)):
        problems.append(_("邮箱“%(v)s”格式不正确", v=email))
    pw = row.get("初始密码")
    if pw:
        try:
            check_strength(pw, username=row.get("学号", ""), name=row.get("姓名", ""))
        except ValidationError as exc:
            problems.append(_("初始密码不合格：%(why)s", why=str(exc.message)))
    return problems
