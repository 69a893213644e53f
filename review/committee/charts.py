"""The dashboard's charts, drawn on the server as SVG (pygal) and shown as data: images.

No chart library reaches the browser and nothing is fetched from a CDN: the page's CSP allows
our own scripts only, and an inline <svg> would need inline styles. As an <img> with a data:
URL the SVG keeps its own styles, runs no script, and the figures stay in the tables beside it.
"""

from __future__ import annotations

import base64
import re
import sys
from typing import Any

import pygal
from flask_babel import gettext as _
from pygal.style import Style

from review.labels import label
from review.services import statistics
from review.services.dashboard import BranchOverview
from review.services.statistics import Agreement, CriterionScores, Progress

FONT = '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif'
# One colour per submission state, the theme red for what needs the committee.
STATE_COLOURS = {
    "draft": "#d1d5db",
    "submitted": "#93c5fd",
    "in_review": "#3b82f6",
    "reviewed": "#10b981",
    "released": "#047857",
    "needs_revision": "#f59e0b",
}
RED, GREY = "#c8161d", "#9ca3af"

# pygal appends an import hook for its map plugins (pygal.maps.*) that implements only the
# legacy find_module(), so every later import in the process warns (ImportWarning on 3.11,
# an error in the tests). We draw no maps: take the hook out again.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]


def _style(colours: tuple[str, ...]) -> Style:
    return Style(
        background="white",
        plot_background="white",
        foreground="#1f2328",
        foreground_strong="#1f2328",
        foreground_subtle="#6b7280",
        font_family=FONT,
        label_font_size=13,
        major_label_font_size=13,
        legend_font_size=13,
        value_font_size=12,
        title_font_size=15,
        colors=colours,
    )


def _config(**options: Any) -> dict[str, Any]:
    """Options every chart shares: no script, no XML declaration, a readable size."""
    return {
        "js": [],
        "explicit_size": True,
        "disable_xml_declaration": True,
        "width": 720,
        "margin": 12,
        **options,
    }


# pygal always writes its configuration for its tooltip script into the SVG; as an <img> no
# script runs, so it is only weight.
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S)


def _counts_axis(most: int) -> list[int]:
    """Return whole-number axis labels from 0 to at least most (at most about 6 of them)."""
    step = max(1, -(-most // 5))
    return list(range(0, max(most, 1) + step, step))


def data_url(svg: str) -> str:
    """Return the SVG, without script, as a data: URL for an <img>."""
    svg = _SCRIPT.sub("", svg)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def progress_chart(data: Progress) -> str:
    """Stacked horizontal bars: each branch's submissions by state ("" while there are none)."""
    states = [s for s in data.states if any(data.counts[s])]
    if not states:  # nothing submitted yet: no chart (pygal cannot draw an empty stack)
        return ""
    chart = pygal.HorizontalStackedBar(
        **_config(
            height=140 + 36 * len(data.branches),
            style=_style(tuple(STATE_COLOURS.get(s, GREY) for s in states)),
            print_values=False,
            show_y_guides=False,
            legend_at_bottom=True,  # beside the bars it covered the first branches' names
            margin_left=40,  # pygal measures CJK labels as Latin: 第10党支部 lost its 第
            legend_at_bottom_columns=min(len(states), 4),
        )
    )
    totals = [sum(data.counts[s][i] for s in states) for i in range(len(data.branches))]
    chart.y_labels = _counts_axis(max(totals, default=0))
    chart.title = _("各支部进度")
    # pygal draws the first bar at the bottom: reversed, the branches read top down as in the
    # table above the chart.
    chart.x_labels = data.branches[::-1]
    for state in states:
        chart.add(label("submission", state), data.counts[state][::-1])
    return chart.render(is_unicode=True)


def scores_chart(criteria: list[CriterionScores]) -> str:
    """A box per criterion: how the reviewers' points spread (as % of the criterion's maximum)."""
    chart = pygal.Box(
        **_config(
            height=340,
            style=_style((RED,) * max(1, len(criteria))),
            box_mode="tukey",
            range=(0, 100),
            show_legend=False,
            truncate_label=-1,
            x_label_rotation=20,
            margin_bottom=36,
            y_title=_("得分率（%）"),
        )
    )
    sampled = any(c.sampled for c in criteria)
    chart.title = (
        _("各评分项得分分布（最近提交的 %(n)d 份评阅）", n=statistics.SCORE_SAMPLE)
        if sampled
        else _("各评分项得分分布")
    )
    chart.x_labels = [f"{c.title}（{c.max_points}）" for c in criteria]
    for c in criteria:
        share: list[float | None] = (
            [round(100 * p / c.max_points, 1) for p in c.points] if c.max_points else []
        )
        chart.add(f"{c.title}（{c.max_points}）", share or [None])  # None: an empty box
    return chart.render(is_unicode=True)


def agreement_chart(data: Agreement) -> str:
    """Bars of how many double-marked reports differ by how much (over the threshold in red)."""
    buckets = data.buckets()
    chart = pygal.StackedBar(
        **_config(
            height=340,
            style=_style((GREY, RED)),
            print_values=True,
            print_zeroes=False,
            x_title=_("两位审阅人总分之差"),
            y_title=_("份数"),
        )
    )
    chart.title = _("双人评阅一致性（分歧阈值 %(n)s 分）", n=f"{data.limit:g}")
    labels, within, beyond = [], [], []
    for low, high, inside, over in buckets:
        if high is None:
            labels.append(_("%(n)s 分以上", n=f"{low:g}"))
        elif low < 0:
            labels.append(_("相同"))
        else:
            labels.append(_("%(a)s–%(b)s 分", a=f"{low:g}", b=f"{high:g}"))
        within.append(inside)
        beyond.append(over)
    chart.x_labels = labels
    chart.y_labels = _counts_axis(
        max((a + b for a, b in zip(within, beyond, strict=True)), default=0)
    )
    chart.add(_("在阈值内"), within)
    chart.add(_("超过阈值，需党委认定"), beyond)
    return chart.render(is_unicode=True)


def _url(svg: str) -> str:
    return data_url(svg) if svg else ""


def dashboard_charts(
    period_id: int, rows: list[BranchOverview], states: tuple[str, ...], agreement: Agreement
) -> dict[str, str]:
    """Return the dashboard's three charts as data: URLs, by name (agreement: the period's)."""
    return {
        "progress": _url(progress_chart(statistics.progress(rows, list(states)))),
        "scores": data_url(scores_chart(statistics.criterion_scores(period_id))),
        "agreement": data_url(agreement_chart(agreement)) if agreement.counts else "",
    }
