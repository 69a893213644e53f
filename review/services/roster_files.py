"""The roster's files: a template to fill in, and the new accounts' initial passwords as CSV.

The passwords follow the one-time rules of review/services/onetime.py: they wait in Redis,
bound to the admin who imported the roster, for ONETIME_TTL seconds, and the first download
takes them away; the import and the download are both audited.
"""

from __future__ import annotations

import csv
import io
import json

import xlsxwriter
from flask_babel import gettext as _

from review.services import audit, onetime
from review.services.branches import all_names
from review.services.roster import COLUMNS, EXAMPLE_MARK, OPTIONAL

BOM = "\ufeff"
ROLE_CHOICES = ("入党积极分子", "审阅人", "党委", "管理员")


def template_xlsx() -> bytes:
    """Return an XLSX roster template: the columns, an example row, drop-downs, instructions."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    head = wb.add_format({"bold": True, "bg_color": "#F3E3E3", "border": 1})
    text = wb.add_format({"num_format": "@"})  # 学号 stays text: leading zeros survive
    example = wb.add_format({"font_color": "#888888", "italic": True, "num_format": "@"})
    ws = wb.add_worksheet(_("名单"))
    columns = [*COLUMNS, *OPTIONAL]
    for col, title in enumerate(columns):
        ws.write_string(0, col, title, head)
        ws.set_column(col, col, 22 if title == "邮箱" else 16, text)
    branches = all_names()
    sample = [
        f"{EXAMPLE_MARK}2026001",
        "张三",
        branches[0] if branches else "第一党支部",
        "入党积极分子",
        "zhangsan@example.com",
        "",
    ]
    for col, value in enumerate(sample):
        ws.write_string(1, col, value, example)
    ws.freeze_panes(1, 0)
    role_col = columns.index("角色")
    ws.data_validation(
        1, role_col, 5000, role_col, {"validate": "list", "source": list(ROLE_CHOICES)}
    )
    info = wb.add_worksheet(_("填写说明"))
    info.set_column(0, 0, 90)
    lines = [
        _("第一行是表头，请勿修改；从第二行起每行一个账号。"),
        _("以“%(mark)s”开头的行是示例，导入时忽略，可以删除。", mark=EXAMPLE_MARK),
        _("学号：字母、数字和 _ . -，作为登录账号。"),
        _("支部：须是系统中已有的支部；审阅人可填多个，用顿号分隔。"),
        _("角色：入党积极分子、审阅人、党委或管理员。"),
        _("邮箱（可选）：用于接收通知。初始密码（可选）：留空则由系统生成。"),
        _("现有支部：%(names)s", names="、".join(branches) or _("（尚未创建支部）")),
    ]
    for row, line in enumerate(lines):
        info.write_string(row, 0, line)
    wb.close()
    return buffer.getvalue()


def passwords_csv(created: list[tuple[str, str, str]]) -> bytes:
    """Return 学号, 姓名, 初始密码 as CSV, UTF-8 with a BOM so that Excel reads the Chinese."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_("学号"), _("姓名"), _("初始密码")])
    writer.writerows(created)
    return (BOM + out.getvalue()).encode("utf-8")


def stash_passwords(actor_id: int, created: list[tuple[str, str, str]], ip: str | None) -> str:
    """Keep the new accounts' passwords for one download by actor_id; audit the import."""
    audit.record(actor_id, "roster.import", "roster", None, {"created": len(created)}, ip)
    return onetime.stash(actor_id, kind="roster", passwords=json.dumps(created))


def take_passwords(actor_id: int, token: str, ip: str | None) -> bytes | None:
    """Return the passwords CSV once (audited); None when spent, expired or another's."""
    shown = onetime.take(actor_id, token)
    if shown is None or shown.get("kind") != "roster":
        return None
    created = [tuple(row) for row in json.loads(shown["passwords"])]
    audit.record(actor_id, "roster.passwords", "roster", None, {"count": len(created)}, ip)
    return passwords_csv(created)
