"""The release list at scale: filtered, sorted and paginated in SQL as select_rows did in Python."""

from __future__ import annotations

import math

from review.access import visible_submissions
from review.extensions import db
from review.models import Submission
from review.services import accounts, agreement, periods, release_list
from review.services.agreement import DECISION_FILTERS, SORTS
from review.services.figures import DECISION_ORDER
from tests.committee.conftest import make_review, make_submission
from tests.fixtures.app import PASSWORD


def select_rows(
    found,
    *,
    decision="",
    disagreement="",
    min_total=None,
    max_total=None,
    sort="branch",
):
    """The list's filters and sorts as they were in Python (agreement.select_rows, removed)."""
    kept = [
        r
        for r in found
        if (decision not in DECISION_FILTERS or r.decision_key == decision)
        and (disagreement != "yes" or r.disagrees)
        and (disagreement != "no" or not r.disagrees)
        and (min_total is None or (r.total is not None and r.total >= min_total))
        and (max_total is None or (r.total is not None and r.total <= max_total))
    ]
    missing = -math.inf if sort.startswith("-") else math.inf  # rows without a value go last
    keys = {
        "total": lambda r: r.total if r.total is not None else missing,
        "-total": lambda r: -(r.total if r.total is not None else missing),
        "difference": lambda r: r.difference if r.difference is not None else missing,
        "-difference": lambda r: -(r.difference if r.difference is not None else missing),
        "decision": lambda r: DECISION_ORDER[r.decision_key],
    }
    key = keys.get(sort)
    return sorted(kept, key=key) if key else kept


def _old(committee, period, branch_id=None, min_total=None, max_total=None, **filters):
    """The ids the list showed before pagination: every row built and filtered in Python."""
    stmt = visible_submissions(committee).where(
        Submission.period_id == period.id, Submission.state != "draft"
    )
    if branch_id:
        stmt = stmt.where(Submission.branch_id == branch_id)
    subs = list(db.session.scalars(stmt.order_by(Submission.branch_id, Submission.id)))
    found = agreement.rows(period, subs)
    kept = select_rows(found, min_total=min_total, max_total=max_total, **filters)
    return [r.submission.id for r in kept]


def _paged(committee, period, per_page=3, **filters):
    """Read every page of the new list; return the ids in order and the count it gave."""
    ids, number, totals = [], 1, set()
    while True:
        page = release_list.list_page(
            committee.id, period.id, release_list.Filters(**filters), number, per_page
        )
        totals.add(page.total)
        if not page.rows:
            break
        assert len(page.rows) <= per_page
        ids += [r.submission.id for r in page.rows]
        number += 1
    assert number - 1 == (page.pages if ids else 0)
    (total,) = totals
    return ids, total


def _cases(branch_id):
    for sort in SORTS:
        for decision in ("", *DECISION_FILTERS):
            yield {"sort": sort, "decision": decision}
        for disagreement in ("yes", "no"):
            yield {"sort": sort, "disagreement": disagreement}
        yield {"sort": sort, "branch_id": branch_id}
        yield {"sort": sort, "min_total": 67.5, "max_total": 75}
    yield {"sort": "-total", "min_total": 70}
    yield {"sort": "total", "max_total": 60, "decision": "undecided"}
    yield {"sort": "-difference", "disagreement": "no", "branch_id": branch_id}
    yield {"sort": "unknown"}


def test_pages_filter_and_sort_as_select_rows_did(mixed):
    committee, period = mixed["committee"], mixed["period"]
    listed = _old(committee, period)
    assert len(listed) == len(mixed["made"]) - 1  # all but the draft; the other period's apart
    assert mixed["made"]["still_draft"].id not in listed
    for case in _cases(mixed["made"]["sub1"].branch_id):
        expected = _old(committee, period, **case)
        ids, total = _paged(committee, period, **case)
        assert ids == expected, case
        assert total == len(expected), case
    ids, _ = _paged(committee, period, sort="-difference")
    made = {s.id: name for name, s in mixed["made"].items()}
    assert [made[i] for i in ids[:5]] == ["sub1", "tie", "edge", "three", "agree"]


def test_the_threshold_of_the_period_decides_disagreement(mixed):
    committee, period = mixed["committee"], mixed["period"]
    periods.update_committee_settings(
        period.id,
        committee.id,
        feedback_mode="scores",
        disagreement_percent=15,
        pass_min=None,
        revise_min=None,
    )
    for disagreement in ("yes", "no"):
        ids, _ = _paged(committee, period, disagreement=disagreement)
        assert ids == _old(committee, period, disagreement=disagreement)
    ids, _ = _paged(committee, period, disagreement="yes")
    assert mixed["made"]["edge"].id in ids  # 20 apart: over 15


def test_the_page_links_keep_the_filters(marked, client, auth):
    period, r1 = marked["period"], marked["reviewer"]
    for i in range(release_list.PER_PAGE + 10):
        activist = accounts.create_user(
            f"p{i:02d}", f"积极分子{i}", "activist", PASSWORD, ["一支部"]
        )
        make_review(make_submission(activist, period), r1, [10 + i % 7] * 5)
    auth.login("c1")
    base = f"/committee/periods/{period.id}/submissions"

    def ids(html):
        return [int(x.split('"')[0]) for x in html.split('data-submission="')[1:]]

    first = client.get(base).get_data(as_text=True)
    assert len(ids(first)) == release_list.PER_PAGE and "共 62 份" in first
    assert "第 1 / 2 页" in first and 'rel="prev"' not in first
    # select all covers the page shown: one box per row of this page
    assert first.count('name="ids"') == release_list.PER_PAGE
    second = client.get(base, query_string={"page": 2}).get_data(as_text=True)
    assert len(ids(second)) == 12 and not set(ids(first)) & set(ids(second))

    query = {"sort": "-total", "decision": "undecided", "min": "55"}
    sorted_first = client.get(base, query_string=query).get_data(as_text=True)
    link = sorted_first.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    for part in ("sort=-total", "decision=undecided", "min=55", "page=2"):
        assert part in link
    assert "共 53 份" in sorted_first  # 50 points are under the minimum
    rest = client.get(link).get_data(as_text=True)
    shown = ids(sorted_first) + ids(rest)
    assert shown == _old(
        marked["committee"], period, sort="-total", decision="undecided", min_total=55
    )
    assert "第 2 / 2 页" in rest and 'rel="prev"' in rest
    empty = client.get(base, query_string={**query, "page": 9}).get_data(as_text=True)
    assert ids(empty) == [] and "没有符合条件的汇报" in empty
