"""Similarity: copied reports are flagged for both sides, unrelated ones are not."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from review.analysis.oath import OATH_TEXT
from review.analysis.similarity import THRESHOLD, Text, estimate, jaccard, passages, signature
from review.extensions import db
from review.models import SignatureBand, TextSignature
from review.services.analyses import analyses_json, get_analyses, run_analyses
from tests.analyses.texts import OTHER, REPORT, REPORT_COPY, REPORT_HEARD, THIRD


def test_copy_scores_above_threshold_and_unrelated_below():
    source, copy = Text.of(REPORT), Text.of(REPORT_COPY)
    assert jaccard(source.shingles, copy.shingles) >= THRESHOLD
    assert estimate(signature(source.shingles), signature(copy.shingles)) >= THRESHOLD
    for other in (OTHER, THIRD):
        assert jaccard(source.shingles, Text.of(other).shingles) < 0.1


def test_reading_with_homophones_matches_by_sound():
    heard = Text.of("".join(t for _a, _b, t in REPORT_HEARD))
    assert jaccard(Text.of(REPORT).shingles, heard.shingles) >= 0.7


def test_the_oath_alone_does_not_make_reports_similar():
    a, b = Text.of(OTHER + OATH_TEXT), Text.of(THIRD + OATH_TEXT)
    assert jaccard(a.shingles, b.shingles) < 0.05


def test_passages_show_both_sides():
    source, copy = Text.of(REPORT), Text.of(REPORT_COPY)
    found = passages(source, copy)
    assert found
    a_first, a_last, b_first, b_last = found[0]
    assert "二十大报告" in source.excerpt(a_first, a_last)
    assert "二十大报告" in copy.excerpt(b_first, b_last)


def test_other_activists_other_periods_are_out_of_scope(make_version):
    from review.services import periods

    earlier = periods.open_period(
        "2026年第三季度", date.today() - timedelta(days=90), date.today() - timedelta(days=5)
    )
    source = make_version("activist", REPORT, period=earlier)
    run_analyses(source.id)
    copy = make_version("activist_b", REPORT_COPY)
    assert run_analyses(copy.id)["similar"] == []


def test_same_period_copy_flagged_with_passages(make_version, people):
    source = make_version("activist", REPORT)
    run_analyses(source.id)
    copy = make_version("activist_b", REPORT_COPY)
    flagged = run_analyses(copy.id)["similar"]
    assert [e["submission"] for e in flagged] == [source.submission_id]
    assert flagged[0]["score"] >= THRESHOLD and flagged[0]["passages"]
    # ...and the source sees the copy too, without being re-run.
    back = get_analyses(source.id)["similar"]
    assert [e["submission"] for e in back] == [copy.submission_id]
    assert back[0]["passages"][0]["mine"].startswith("敬爱的党组织：这个季度")
    # The committee reads both sides; a reviewer of the source's branch sees only the score.
    committee = analyses_json(db.session.get(type(source), source.id), people["committee"])
    assert committee["similar"][0]["readable"] and committee["similar"][0]["passages"]
    reviewer = analyses_json(db.session.get(type(source), source.id), people["reviewer"])
    assert reviewer["similar"][0] == {**reviewer["similar"][0], "readable": False}
    assert "passages" not in reviewer["similar"][0] and reviewer["similar"][0]["branch"] == "二支部"
    # The activist never sees similarity results.
    assert "similar" not in analyses_json(
        db.session.get(type(source), source.id), people["activist"]
    )


def test_same_activist_earlier_period_is_compared(make_version, people):
    from review.services import periods

    earlier = periods.open_period(
        "2026年第三季度", date.today() - timedelta(days=90), date.today() - timedelta(days=5)
    )
    old = make_version("activist", REPORT, period=earlier)
    run_analyses(old.id)
    new = make_version("activist", REPORT_COPY)
    flagged = run_analyses(new.id)["similar"]
    assert [e["submission"] for e in flagged] == [old.submission_id]
    shown = analyses_json(db.session.get(type(new), new.id), people["reviewer"])["similar"][0]
    assert shown["same_activist"] and shown["period"] == "2026年第三季度"


def test_unrelated_reports_are_not_flagged_and_signatures_are_kept(make_version):
    first = make_version("activist", OTHER)
    run_analyses(first.id)
    second = make_version("activist_b", THIRD)
    assert run_analyses(second.id)["similar"] == []
    assert get_analyses(first.id).get("similar", []) == []
    assert db.session.query(TextSignature).count() == 2
    assert db.session.query(SignatureBand).count() == 2 * 32


def test_drafts_are_not_compared(make_version):
    source = make_version("activist", REPORT)
    run_analyses(source.id)
    draft = make_version("activist_b", REPORT_COPY, submitted=False)
    assert "similar" not in run_analyses(draft.id)
    assert get_analyses(source.id).get("similar", []) == []


@pytest.mark.parametrize("rerun", [1, 2])
def test_reanalysis_is_idempotent(make_version, rerun):
    source = make_version("activist", REPORT)
    copy = make_version("activist_b", REPORT_COPY)
    for _ in range(rerun):
        run_analyses(source.id)
        run_analyses(copy.id)
    assert len(get_analyses(source.id)["similar"]) == 1
    assert len(get_analyses(copy.id)["similar"]) == 1


def test_a_new_version_retracts_the_old_flag(make_version, people):
    from review.models import SubmissionState
    from review.services.submissions import get_or_create_draft
    from tests.analyses.conftest import submit

    source = make_version("activist", REPORT)
    copy = make_version("activist_b", REPORT_COPY)
    run_analyses(source.id)
    run_analyses(copy.id)
    assert get_analyses(source.id)["similar"]
    copy.submission.state = SubmissionState.NEEDS_REVISION.value
    db.session.commit()
    revised = get_or_create_draft(people["activist_b"].id, people["period"].id)
    revised.paper_text = THIRD
    db.session.commit()
    submit(revised.id)
    assert run_analyses(revised.id)["similar"] == []
    assert get_analyses(source.id)["similar"] == []


def test_the_job_is_queued_once_per_content(make_version, app):
    from review.services.analyses import enqueue_analyses
    from tests.fixtures.pipeline import run_jobs

    version = make_version("activist", REPORT)
    job_id = enqueue_analyses(version.id)
    assert job_id and job_id.startswith(f"analyse-{version.id}-")
    assert enqueue_analyses(version.id) is None  # same content: already queued
    run_jobs(app)  # workers.analyses.analyse_version on queue `default`
    db.session.expire_all()
    assert "similar" in get_analyses(version.id)
    version = db.session.get(type(version), version.id)
    version.paper_text = OTHER
    db.session.commit()
    assert enqueue_analyses(version.id) not in (None, job_id)
