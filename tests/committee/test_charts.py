"""The dashboard's charts: the figures they draw, and SVG that shows on the page under its CSP."""

from __future__ import annotations

import base64
import re

import pytest

from review.services import statistics
from review.services.dashboard import overview
from tests.committee.test_browser import ARTIFACTS, DESKTOP, _login, browser  # noqa: F401


def _svg(html: str, chart: str) -> str:
    src = re.search(rf'id="chart-{chart}" src="data:image/svg\+xml;base64,([^"]+)"', html)
    assert src, f"chart {chart} missing"
    return base64.b64decode(src.group(1)).decode()


def test_figures_of_the_charts(marked):
    period = marked["period"]
    progress = statistics.progress(overview(period.id), ["in_review", "reviewed"])
    assert progress.branches == ["一支部", "二支部"]
    assert progress.counts["in_review"] == [1, 1] and progress.counts["reviewed"] == [0, 0]
    scores = statistics.criterion_scores(period.id)
    assert [len(c.points) for c in scores] == [3] * 5  # two reviews of a1, one of a2
    assert sorted(scores[0].points) == [10, 15, 18]
    agreement = statistics.agreement(period.id, 0.15)
    assert agreement.counts == {85 - 50: 1} and agreement.limit == 15
    assert agreement.buckets()[-1] == (10.0, None, 0, 1)  # 35 points apart: over the limit


@pytest.mark.parametrize(
    ("differences", "expected"),
    [
        ([0.0], [(1, 0), (0, 0), (0, 0), (0, 0), (0, 0)]),
        ([3.0, 7.0], [(0, 0), (0, 0), (1, 0), (0, 1), (0, 0)]),
    ],
)
def test_agreement_buckets_split_at_the_limit(differences, expected):
    buckets = statistics.Agreement(dict.fromkeys(differences, 1), limit=6).buckets()
    assert [(b[2], b[3]) for b in buckets] == expected


def test_dashboard_shows_the_three_charts(marked, client, auth):
    auth.login("c1")
    html = client.get("/committee/").get_data(as_text=True)
    progress, scores, agreement = (_svg(html, c) for c in ("progress", "scores", "agreement"))
    assert "各支部进度" in progress and "一支部" in progress and "审阅中" in progress
    assert "入党动机" in scores and "得分率" in scores
    assert "双人评阅一致性" in agreement and "超过阈值" in agreement
    for svg in (progress, scores, agreement):  # nothing fetched, nothing run
        assert "<script" not in svg and "http://kozea" not in svg and "https://" not in svg


def test_charts_render_in_the_browser(marked, app, server, browser):  # noqa: F811
    _, page = _login(browser, server, "c1")
    page.goto(f"{server}/committee/")
    for chart in ("progress", "scores", "agreement"):
        width = page.eval_on_selector(f"#chart-{chart}", "img => img.naturalWidth")
        assert width > 300, chart  # the data: image decoded (a broken image is 0 wide)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator("#charts").screenshot(path=str(ARTIFACTS / "dashboard-charts.png"))


def test_dashboard_of_a_period_with_nothing_submitted(people, client, auth):
    """A new period: no progress or agreement chart yet, and the page still answers."""
    auth.login("c1")
    resp = client.get("/committee/")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'id="chart-progress"' not in html
    assert 'id="chart-agreement"' not in html and 'id="chart-scores"' in html
