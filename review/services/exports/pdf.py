"""One activist's assessment sheet as PDF (reportlab, the built-in STSong-Light CID font).

STSong-Light needs no font file: PDF readers substitute their own Song/Ming face, so the
sheet renders on any machine that can show Chinese PDFs.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from sqlalchemy import select

from review.exceptions import NotFoundError
from review.extensions import db
from review.i18n import format_dt
from review.labels import label
from review.models import Criterion, Submission, TranscriptSegment, User
from review.services.decisions import get_decision, outcome_label, submitted_reviews

FONT = "STSong-Light"
SUMMARY_CHARS = 300
_registered = False


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=_font(), fontSize=10, leading=14.5, wordWrap="CJK")
    return {
        "base": base,
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=26, alignment=1),
        "h2": ParagraphStyle(
            "h2", parent=base, fontSize=12.5, leading=18, spaceBefore=6, spaceAfter=3
        ),
        "small": ParagraphStyle(
            "small", parent=base, fontSize=9, leading=13, textColor=colors.HexColor("#555555")
        ),
    }


def clock(seconds: float) -> str:
    """Format seconds as m:ss (or h:mm:ss)."""
    total = int(seconds)
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def excerpt_at(segments: list[TranscriptSegment], at: float) -> str:
    """Return the transcript text spoken at a moment (the nearest segment within 5 s)."""
    best, distance = None, 5.0
    for seg in segments:
        d = 0.0 if seg.start <= at <= seg.end else min(abs(seg.start - at), abs(seg.end - at))
        if d <= distance:
            best, distance = seg, d
            if d == 0.0:
                break
    return best.text if best else ""


def _grid(
    data: list[list], widths: list[float], header: bool = True, heights: list[float] | None = None
) -> Table:
    table = Table(data, colWidths=widths, rowHeights=heights, repeatRows=1 if header else 0)
    style: list[Any] = [
        ("FONTNAME", (0, 0), (-1, -1), _font()),
        ("FONTSIZE", (0, 0), (-1, -1), 10),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F3E3E3")))
    table.setStyle(TableStyle(style))
    return table


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def assessment_pdf(submission_id: int) -> bytes:
    """Build the assessment sheet of a submission's newest submitted version."""
    submission = db.session.get(Submission, submission_id)
    if submission is None or submission.latest_submitted is None:
        raise NotFoundError(_("找不到该汇报。"))  # a draft is its activist's alone
    version, period = submission.latest_submitted, submission.period
    st = _styles()

    def para(text: object, style: str = "base") -> Paragraph:
        return Paragraph(escape(str(text)), st[style])

    story = [para(_("思想汇报考核表"), "title"), Spacer(1, 4 * mm)]
    branch = submission.activist.branch.name if submission.activist.branch else ""
    story.append(
        _grid(
            [
                [para(_("汇报周期")), para(period.name), para(_("所在支部")), para(branch)],
                [
                    para(_("学号")),
                    para(submission.activist.username),
                    para(_("姓名")),
                    para(submission.activist.name),
                ],
                [
                    para(_("提交时间")),
                    para(format_dt(version.submitted_at)),
                    para(_("状态")),
                    para(label("submission", submission.state)),
                ],
            ],
            [25 * mm, 60 * mm, 25 * mm, 60 * mm],
            header=False,
        )
    )

    reviews = submitted_reviews(version.id)[:2]
    reviewers = {
        u.id: u.name
        for u in db.session.scalars(
            select(User).where(User.id.in_([r.reviewer_id for r in reviews] or [-1]))
        )
    }
    positions = dict(db.session.execute(select(Criterion.id, Criterion.position)).all())
    by_review = [{positions[s.criterion_id]: s for s in r.scores} for r in reviews]
    decision = get_decision(version.id)
    agreed = {positions[m.criterion_id]: m.points for m in decision.marks} if decision else {}
    story.append(para(_("评分"), "h2"))
    head = (
        [_("评分项"), _("满分")]
        + [
            _("审阅人%(n)d：%(name)s", n=i + 1, name=reviewers.get(r.reviewer_id, ""))
            for i, r in enumerate(reviews)
        ]
        + [_("认定")]
    )
    data: list[list[Any]] = [[para(h) for h in head]]
    criteria = period.rubric_version.criteria
    for c in criteria:
        data.append(
            [para(c.title), _num(c.max_points)]
            + [_num(s[c.position].points) if c.position in s else "" for s in by_review]
            + [_num(agreed.get(c.position))]
        )
    totals = [_num(sum(s.points or 0 for s in scores.values())) for scores in by_review]
    complete = agreed and all(c.position in agreed for c in criteria)
    data.append(
        [para(_("合计")), _num(period.rubric_version.max_total)]
        + totals
        + [_num(sum(agreed.values())) if complete else ""]
    )
    free = 170 * mm - 45 * mm - 15 * mm
    story.append(_grid(data, [45 * mm, 15 * mm] + [free / (len(reviews) + 1)] * (len(reviews) + 1)))
    notes = [
        (c.title, s[c.position].note)
        for s in by_review
        for c in criteria
        if c.position in s and s[c.position].note
    ]
    for title, note in notes:
        story.append(para(f"{title}：{note}", "small"))

    story.append(para(_("时间点评语"), "h2"))
    segments = version.video.segments if version.video is not None else []
    comments = sorted(
        ((c, reviewers.get(r.reviewer_id, "")) for r in reviews for c in r.comments),
        key=lambda pair: pair[0].at_seconds,
    )
    if comments:
        rows: list[list[Any]] = [
            [para(_("时间")), para(_("审阅人")), para(_("评语")), para(_("此时的讲话（转写）"))]
        ]
        for comment, who in comments:
            rows.append(
                [
                    clock(comment.at_seconds),
                    para(who),
                    para(comment.text),
                    para(excerpt_at(segments, comment.at_seconds), "small"),
                ]
            )
        story.append(_grid(rows, [16 * mm, 24 * mm, 65 * mm, 65 * mm]))
        story.append(Spacer(1, 2 * mm))
    else:
        story.append(para(_("无。"), "small"))
    for review in reviews:
        if review.overall_comment:
            story.append(
                para(
                    _(
                        "%(name)s的总体评价：%(text)s",
                        name=reviewers.get(review.reviewer_id, ""),
                        text=review.overall_comment,
                    )
                )
            )

    story.append(para(_("书面汇报摘要"), "h2"))
    text = " ".join((version.paper_text or "").split())
    summary = text[:SUMMARY_CHARS] + ("……" if len(text) > SUMMARY_CHARS else "")
    story.append(para(summary or _("（无书面汇报文字）"), "small" if not summary else "base"))

    story.append(para(_("结论"), "h2"))
    outcome = outcome_label(decision.outcome) if decision else ""
    story.append(para(_("认定结论：%(o)s", o=outcome or _("尚未认定"))))
    if decision and decision.comment:
        story.append(para(_("给积极分子的意见：%(c)s", c=decision.comment)))
    if decision and decision.released_at:
        story.append(para(_("发布时间：%(at)s", at=format_dt(decision.released_at)), "small"))

    sign = [
        [para(_("审阅人签字：")), "", para(_("日期：")), ""],
        [para(_("党委意见：")), "", "", ""],
        [para(_("党委（盖章）：")), "", para(_("日期：")), ""],
    ]
    table = _grid(
        sign,
        [34 * mm, 61 * mm, 20 * mm, 55 * mm],
        header=False,
        heights=[11 * mm, 24 * mm, 11 * mm],
    )
    table.setStyle(TableStyle([("SPAN", (1, 1), (3, 1))]))
    story.append(KeepTogether([Spacer(1, 3 * mm), para(_("签字"), "h2"), table]))

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=_(
            "思想汇报考核表 %(u)s %(n)s", u=submission.activist.username, n=submission.activist.name
        ),
        author="Huibao",
    )
    doc.build(story)
    return buffer.getvalue()
