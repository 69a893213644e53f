"""The period workbook: a summary sheet with agreement statistics, then one sheet per branch."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.worksheet import Worksheet

import unicodedata
from collections.abc import Callable
from typing import IO

import xlsxwriter
from flask_babel import gettext as _

from review import clock
from review.i18n import format_dt
from review.labels import label
from review.services.exports import neutralise
from review.services.exports.rows import ExportRow, ExportTable
from review.services.exports.stats import agreement

STATES = ("", "draft", "submitted", "in_review", "reviewed", "released", "needs_revision")
_BAD_SHEET_CHARS = str.maketrans({c: "_" for c in "[]:*?/\\"})
OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
    "in_memory": False,
}


def text_width(value: object) -> int:
    """Return the display width of a cell value: CJK characters count twice."""
    if value is None:
        return 0
    text = f"{value:g}" if isinstance(value, float) else str(value)
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _widths(header: list[str], rows: list[list]) -> list[float]:
    widths = [text_width(h) for h in header]
    for values in rows:
        for i, v in enumerate(values):
            if v is not None:
                w = text_width(v)
                if w > widths[i]:
                    widths[i] = w
    return [min(w + 2, 60) for w in widths]


def _sheet_title(name: str, used: set[str]) -> str:
    base = (name.translate(_BAD_SHEET_CHARS).strip("'") or _("未分支部"))[:28]
    title, n = base, 2
    while title in used:
        title, n = f"{base[:25]}({n})", n + 1
    used.add(title)
    return title


def _write_row(ws: Worksheet, row: int, values: list, fmt: Format | None = None) -> None:
    for col, value in enumerate(values):
        if value is None or value == "":
            continue
        if isinstance(value, str):
            ws.write_string(row, col, neutralise(value), fmt)
        else:
            ws.write_number(row, col, value, fmt)


def _write_table(
    ws: Worksheet,
    header: list[str],
    rows: list[list],
    head_fmt: Format,
    first: int = 0,
    min_width: int = 0,
) -> None:
    for i, width in enumerate(_widths(header, rows)):
        ws.set_column(i, i, max(width, min_width))
    _write_row(ws, first, header, head_fmt)
    for n, values in enumerate(rows, start=first + 1):
        _write_row(ws, n, values)
    ws.autofilter(first, 0, first + len(rows), len(header) - 1)


def summary_rows(table: ExportTable) -> tuple[list[str], list[list]]:
    """Return the summary sheet's header and one row per branch plus a total row."""
    max_points = max((c.max_points for c in table.criteria), default=0)
    header = [_("支部"), _("积极分子")] + [
        label("submission", s) if s else _("未提交") for s in STATES
    ]
    header += [_("已认定"), _("结果已发布"), _("双评份数"), _("总分平均绝对差"), _("加权Kappa")]
    groups: dict[str, list[ExportRow]] = {}
    for row in table.rows:
        groups.setdefault(row.branch, []).append(row)
    out = []
    for name, rows in [*sorted(groups.items()), (_("合计"), table.rows)]:
        counts = [sum(1 for r in rows if r.state == s) for s in STATES]
        stats = agreement(rows, table.positions, max_points)
        decided = sum(1 for r in rows if r.outcome)
        released = sum(1 for r in rows if r.released_at)
        out.append(
            [
                name or _("未分支部"),
                len(rows),
                *counts,
                decided,
                released,
                stats.double_marked,
                None if stats.mean_abs_difference is None else round(stats.mean_abs_difference, 2),
                None if stats.kappa is None else round(stats.kappa, 3),
            ]
        )
    return header, out


def write_xlsx(
    table: ExportTable, target: str | IO[bytes], progress: Callable[[float], None] | None = None
) -> None:
    """Write the workbook of table to a path or binary file."""
    wb = xlsxwriter.Workbook(target, OPTIONS)
    head_fmt = wb.add_format({"bold": True, "bg_color": "#F3E3E3", "valign": "vcenter"})
    title_fmt = wb.add_format({"bold": True, "font_size": 14})
    header, rows = summary_rows(table)
    ws = wb.add_worksheet(_("汇总"))
    ws.freeze_panes(4, 1)
    _write_row(ws, 0, [_("%(period)s 思想汇报考核汇总", period=table.period.name)], title_fmt)
    _write_row(ws, 1, [_("导出时间：%(at)s", at=format_dt(clock.now()))])
    _write_row(
        ws,
        2,
        [
            _(
                "平均绝对差：两位审阅人总分之差的平均；加权Kappa：两位审阅人逐项评分的"
                "二次加权一致性（1 为完全一致，0 为偶然一致）。"
            )
        ],
    )
    _write_table(ws, header, rows, head_fmt, first=3, min_width=10)
    groups: dict[str, list[ExportRow]] = {}
    for row in table.rows:
        groups.setdefault(row.branch, []).append(row)
    used = {_("汇总")}
    columns = table.header()
    for done, (name, group) in enumerate(sorted(groups.items()), start=1):
        sheet = wb.add_worksheet(_sheet_title(name, used))
        sheet.freeze_panes(1, 2)
        _write_table(sheet, columns, [table.values(r) for r in group], head_fmt)
        if progress:
            progress(done / (len(groups) + 1))
    wb.close()
    if progress:
        progress(1.0)


__all__ = ["summary_rows", "text_width", "write_xlsx"]
