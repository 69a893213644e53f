"""One activist's assessment sheet as PDF, on one A4 page, with its Chinese font embedded.

The font is WenQuanYi Micro Hei, shipped in review/fonts/ (Apache-2.0): reportlab embeds the
subset of glyphs a sheet uses, so the sheet reads the same on a machine without any Chinese
font (the built-in STSong-Light it replaces was only named, and each reader substituted its
own face, or none).
"""

from __future__ import annotations

import io
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from review.i18n import format_dt
from review.services.exports.font import font
from review.services.exports.sheet import Sheet, load_sheet

SUMMARY_CHARS = 300
WIDTH = 180 * mm  # A4 less two 15 mm margins
PADDING = 4
_TITLE_END = tuple("。！？；：，、.!?;:,")


@cache
def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=font(), fontSize=9.5, leading=13.5, wordWrap="CJK")
    return {
        "base": base,
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=22, alignment=1),
        "h2": ParagraphStyle(
            "h2", parent=base, fontSize=11.5, leading=16, spaceBefore=5, spaceAfter=2
        ),
        "paper_title": ParagraphStyle(
            "paper_title", parent=base, fontSize=10.5, leading=15, alignment=1, spaceAfter=2
        ),
        "small": ParagraphStyle(
            "small", parent=base, fontSize=8.5, leading=12, textColor=colors.HexColor("#555555")
        ),
    }


def clock(seconds: float) -> str:
    """Format seconds as m:ss (or h:mm:ss)."""
    total = int(seconds)
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def excerpt_at(segments: list[tuple[float, float, str]], at: float) -> str:
    """Return the transcript text spoken at a moment (the nearest segment within 5 s)."""
    best, distance = None, 5.0
    for start, end, text in segments:
        d = 0.0 if start <= at <= end else min(abs(start - at), abs(end - at))
        if d <= distance:
            best, distance = text, d
            if d == 0.0:
                break
    return best or ""


def split_title(text: str) -> tuple[str, str]:
    """Split a paper report into its title line (if it has one) and its text, spaces folded.

    A title is a short first line that does not end like a sentence or a salutation
    ("敬爱的党组织：" is text); the text keeps one line break between its paragraphs.
    """
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    title = ""
    if len(lines) > 1 and len(lines[0]) <= 30 and not lines[0].endswith(_TITLE_END):
        title, lines = lines[0], lines[1:]
    return title, "\n".join(lines)


def _fit(cell: Any, width: float) -> Any:
    """Leave text that fits its column a plain string (cheap to draw); wrap the rest."""
    if not isinstance(cell, str) or not cell:
        return cell
    if pdfmetrics.stringWidth(cell, font(), 9.5) <= width - 2 * PADDING:
        return cell
    return Paragraph(escape(cell), _styles()["base"])


def _grid(
    data: list[list], widths: list[float], header: bool = True, heights: list | None = None
) -> Table:
    data = [[_fit(cell, w) for cell, w in zip(row, widths, strict=True)] for row in data]
    table = Table(data, colWidths=widths, rowHeights=heights, repeatRows=1 if header else 0)
    style: list[Any] = [
        ("FONTNAME", (0, 0), (-1, -1), font()),
        ("FONTSIZE", (0, 0), (-1, -1), 9.5),
        ("LEADING", (0, 0), (-1, -1), 13.5),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F3E3E3")))
    table.setStyle(TableStyle(style))
    return table


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def assessment_pdf(submission_id: int) -> bytes:
    """Build the assessment sheet of a submission's newest submitted version."""
    return render_sheet(load_sheet(submission_id))


def render_sheet(sheet: Sheet) -> bytes:
    """Draw a sheet read by load_sheet(s) as PDF bytes."""
    st = _styles()

    def para(text: object, style: str = "base") -> Paragraph:
        return Paragraph(escape(str(text)), st[style])

    story: list[Any] = [para(_("思想汇报考核表"), "title"), Spacer(1, 2 * mm)]
    half = [22 * mm, 68 * mm, 22 * mm, 68 * mm]
    info = [
        [_("汇报周期"), sheet.period, _("所在支部"), sheet.branch],
        [_("学号"), sheet.username, _("姓名"), sheet.name],
        [_("提交时间"), format_dt(sheet.submitted_at), _("状态"), sheet.state],
    ]
    story.append(_grid(info, half, header=False))
    story += _scores(sheet, para)
    story += _comments(sheet, para)

    story.append(para(_("书面汇报摘要"), "h2"))
    title, text = split_title(sheet.paper_text)
    if title:
        story.append(para(title, "paper_title"))
    summary = text[:SUMMARY_CHARS] + ("……" if len(text) > SUMMARY_CHARS else "")
    if summary:
        # One paragraph a line, not one with <br/>: a single run of text takes reportlab's
        # CJK word split, several runs its character-by-character one, which cost 1.4 ms of
        # the sheet's 7.7 (the same lines and places; a space where a line wraps is dropped).
        story += [para(line) for line in summary.split("\n")]
    else:
        story.append(para(_("（无书面汇报文字）"), "small"))
    story.append(KeepTogether([para(_("结论与签字"), "h2"), _sign_off(sheet, para)]))

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=_("思想汇报考核表 %(u)s %(n)s", u=sheet.username, n=sheet.name),
        author="Huibao",
        # The canvas would otherwise name Helvetica (never embedded) as its starting font.
        initialFontName=font(),
    )
    doc.build(story)
    return buffer.getvalue()


def _scores(sheet: Sheet, para: Any) -> list[Any]:
    reviews = sheet.reviews
    head = (
        [_("评分项"), _("满分")]
        + [_("审阅人%(n)d：%(name)s", n=i + 1, name=r.reviewer) for i, r in enumerate(reviews)]
        + [_("认定")]
    )
    data: list[list[Any]] = [head]
    for pos, title, max_points in sheet.criteria:
        data.append(
            [title, _num(max_points)]
            + [_num(r.scores.get(pos)) if pos in r.scores else "" for r in reviews]
            + [_num(sheet.agreed.get(pos))]
        )
    totals = [_num(sum(p or 0 for p in r.scores.values())) for r in reviews]
    complete = sheet.agreed and all(pos in sheet.agreed for pos, _t, _m in sheet.criteria)
    data.append(
        [_("合计"), _num(sheet.max_total)]
        + totals
        + [_num(sum(sheet.agreed.values())) if complete else ""]
    )
    free = WIDTH - 50 * mm - 14 * mm
    widths = [50 * mm, 14 * mm] + [free / (len(reviews) + 1)] * (len(reviews) + 1)
    out: list[Any] = [para(_("评分"), "h2"), _grid(data, widths)]
    titles = {pos: title for pos, title, _m in sheet.criteria}
    for r in reviews:
        for pos, note in sorted(r.notes.items()):
            out.append(para(f"{titles.get(pos, '')}（{r.reviewer}）：{note}", "small"))
    return out


def _comments(sheet: Sheet, para: Any) -> list[Any]:
    out: list[Any] = [para(_("时间点评语"), "h2")]
    comments = sorted(
        ((at, text, r.reviewer) for r in sheet.reviews for at, text in r.comments),
        key=lambda c: c[0],
    )
    if comments:
        rows: list[list[Any]] = [[_("时间"), _("审阅人"), _("评语"), _("此时的讲话（转写）")]]
        for at, text, who in comments:
            rows.append(
                [
                    clock(at),
                    who,
                    text,
                    para(excerpt_at(sheet.segments, at), "small"),
                ]
            )
        out += [_grid(rows, [14 * mm, 24 * mm, 71 * mm, 71 * mm]), Spacer(1, 1.5 * mm)]
    else:
        out.append(para(_("无。"), "small"))
    for r in sheet.reviews:
        if r.overall:
            out.append(para(_("%(name)s的总体评价：%(text)s", name=r.reviewer, text=r.overall)))
    return out


def _sign_off(sheet: Sheet, para: Any) -> Table:
    """The conclusion and the signatures: one 党委意见 box, holding the committee's comment."""
    outcome = sheet.outcome or _("尚未认定")
    if sheet.released_at:
        outcome += "　" + _("（%(at)s 发布）", at=format_dt(sheet.released_at))
    rows = [
        [_("认定结论"), para(outcome), "", ""],
        [_("党委意见"), para(sheet.decision_comment), "", ""],
        [_("审阅人签字"), "", _("日期"), ""],
        [_("党委（盖章）"), "", _("日期"), ""],
    ]
    # An empty 党委意见 box is left tall enough to write in by hand.
    opinion = None if sheet.decision_comment else 16 * mm
    table = _grid(
        rows,
        [26 * mm, 74 * mm, 16 * mm, 64 * mm],
        header=False,
        heights=[None, opinion, 10 * mm, 10 * mm],
    )
    table.setStyle(TableStyle([("SPAN", (1, 0), (3, 0)), ("SPAN", (1, 1), (3, 1))]))
    return table
