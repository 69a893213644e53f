"""The period workbook: a summary sheet with agreement statistics, then one sheet per branch."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.worksheet import Worksheet

from collections.abc import Callable
from datetime import datetime
from typing import IO

import xlsxwriter
from flask_babel import get_timezone
from flask_babel import gettext as _

from review import clock
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
# Real dates, shown the Chinese way: 2026年11月26日 16:08.
DATE_FORMAT = 'yyyy"年"m"月"d"日" hh:mm'
DATE_WIDTH = 18


def text_width(value: object) -> int:
    """Return the display width of a cell value: CJK characters count twice.

    A CJK character is three bytes in UTF-8 and an ASCII one a single byte, so the mean of
    the byte and character counts is the width, without a Python loop per character.
    """
    if value is None:
        return 0
    if isinstance(value, datetime):
        return DATE_WIDTH
    text = f"{value:g}" if isinstance(value, float) else str(value)
    if text.isascii():
        return len(text)
    return (len(text.encode()) + len(text)) // 2


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


def _write_row(
    ws: Worksheet, row: int, values: list, fmt: Format | None = None, dates: Format | None = None
) -> None:
    for col, value in enumerate(values):
        if value is None or value == "":
            continue
        if isinstance(value, str):
            ws.write_string(row, col, neutralise(value), fmt)
        elif isinstance(value, datetime):
            ws.write_datetime(row, col, value, dates)
        else:
            ws.write_number(row, col, value, fmt)


def _write_table(
    ws: Worksheet,
    header: list[str],
    rows: list[list],
    head_fmt: Format,
    first: int = 0,
    min_width: int = 0,
    dates: Format | None = None,
) -> None:
    for i, width in enumerate(_widths(header, rows)):
        ws.set_column(i, i, max(width, min_width))
    _write_row(ws, first, header, head_fmt)
    for n, values in enumerate(rows, start=first + 1):
        _write_row(ws, n, values, dates=dates)
    ws.autofilter(first, 0, first + len(rows), len(header) - 1)


def summary_rows(table: ExportTable) -> tuple[list[str], list[list]]:
    """Return the summary sheet's header and one row per branch plus a total row."""
    max_points = max((c.max_points for c in table.criteria), default=0)
    header = [_("支部"), _("积极分子")] + [
        label("submission", s) if s else _("未提交") for s in STATES
    ]
    # The state columns already count 已发布: no second "results released" column.
    header += [_("已认定"), _("双评份数"), _("总分平均绝对差"), _("加权Kappa")]
    groups: dict[str, list[ExportRow]] = {}
    for row in table.rows:
        groups.setdefault(row.branch, []).append(row)
    out = []
    for name, rows in [*sorted(groups.items()), (_("合计"), table.rows)]:
        counts = [sum(1 for r in rows if r.state == s) for s in STATES]
        stats = agreement(rows, table.positions, max_points)
        decided = sum(1 for r in rows if r.outcome)
        out.append(
            [
                name or _("未分支部"),
                len(rows),
                *counts,
                decided,
                stats.double_marked,
                None if stats.mean_abs_difference is None else round(stats.mean_abs_difference, 2),
                None if stats.kappa is None else round(stats.kappa, 3),
            ]
        )
    return header, out


STATE_COLOURS = ("#9CA3AF", "#D1D5DB", "#93C5FD", "#3B82F6", "#10B981", "#047857", "#F59E0B")


def _summary_charts(
    wb: xlsxwriter.Workbook,
    ws: Worksheet,
    name: str,
    header: list[str],
    rows: list[list],
    first: int,
) -> None:
    """Put Excel's own charts under the summary table: progress by state, agreement by branch.

    They read the table's cells (not copies of the figures), so a secretary who edits or sorts
    the sheet sees the charts follow.
    """
    branches = len(rows) - 1  # the last row is the total
    if branches < 1:
        return
    top, bottom = first + 1, first + branches  # the branch rows, total excluded
    categories = [name, top, 0, bottom, 0]
    progress = wb.add_chart({"type": "bar", "subtype": "stacked"})
    for offset, colour in enumerate(STATE_COLOURS):
        col = 2 + offset
        progress.add_series(
            {
                "name": [name, first, col],
                "categories": categories,
                "values": [name, top, col, bottom, col],
                "fill": {"color": colour},
                "gap": 60,
            }
        )
    progress.set_title({"name": _("各支部进度")})
    progress.set_x_axis({"name": _("份数"), "major_gridlines": {"visible": True}})
    progress.set_y_axis({"reverse": True})
    progress.set_legend({"position": "bottom"})
    progress.set_size({"width": 720, "height": 160 + 28 * branches})
    at = bottom + 3
    ws.insert_chart(at, 0, progress)
    mad = header.index(_("总分平均绝对差"))
    if any(r[mad] is not None for r in rows[:-1]):
        spread = wb.add_chart({"type": "column"})
        spread.add_series(
            {
                "name": [name, first, mad],
                "categories": categories,
                "values": [name, top, mad, bottom, mad],
                "fill": {"color": "#C8161D"},
                "data_labels": {"value": True},
            }
        )
        spread.set_title({"name": _("双人评阅：两位审阅人总分平均绝对差")})
        spread.set_y_axis({"name": _("分")})
        spread.set_legend({"none": True})
        spread.set_size({"width": 720, "height": 300})
        ws.insert_chart(at, 9, spread)


def write_xlsx(
    table: ExportTable, target: str | IO[bytes], progress: Callable[[float], None] | None = None
) -> None:
    """Write the workbook of table to a path or binary file."""
    wb = xlsxwriter.Workbook(target, OPTIONS)
    head_fmt = wb.add_format({"bold": True, "bg_color": "#F3E3E3", "valign": "vcenter"})
    title_fmt = wb.add_format({"bold": True, "font_size": 14})
    date_fmt = wb.add_format({"num_format": DATE_FORMAT, "align": "left"})
    exported = clock.now().astimezone(get_timezone()).replace(tzinfo=None)
    header, rows = summary_rows(table)
    ws = wb.add_worksheet(_("汇总"))
    ws.freeze_panes(4, 1)
    _write_row(ws, 0, [_("%(period)s 思想汇报考核汇总", period=table.period.name)], title_fmt)
    _write_row(ws, 1, [_("导出时间"), exported], dates=date_fmt)
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
    _summary_charts(wb, ws, _("汇总"), header, rows, first=3)
    groups: dict[str, list[ExportRow]] = {}
    for row in table.rows:
        groups.setdefault(row.branch, []).append(row)
    used = {_("汇总")}
    columns = table.header()
    for done, (name, group) in enumerate(sorted(groups.items()), start=1):
        sheet = wb.add_worksheet(_sheet_title(name, used))
        sheet.freeze_panes(1, 2)
        values = [table.values(r, dates=True) for r in group]
        _write_table(sheet, columns, values, head_fmt, dates=date_fmt)
        if progress:
            progress(done / (len(groups) + 1))
    wb.close()
    if progress:
        progress(1.0)


__all__ = ["summary_rows", "text_width", "write_xlsx"]
