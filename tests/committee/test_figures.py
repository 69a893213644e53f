"""The release list's figures kept on each submission equal what agreement.rows computes."""

from __future__ import annotations

import importlib

import pytest
from sqlalchemy import select, text, update

from review.extensions import db
from review.models import Submission
from review.services import agreement, decisions, figures, releases
from review.services.reviews import editing
from tests.committee.conftest import make_submission
from tests.fixtures.app import PASSWORD
from tests.reviews.test_services import full_scores


def _stored_and_computed(period):
    db.session.expire_all()
    subs = list(db.session.scalars(select(Submission).where(Submission.period_id == period.id)))
    stored = {s.id: (s.review_difference, s.list_total, s.decision_rank) for s in subs}
    computed = {
        r.submission.id: (
            r.difference,
            pytest.approx(r.total) if r.total is not None else None,
            figures.DECISION_ORDER[r.decision_key],
        )
        for r in agreement.rows(period, subs)
    }
    return stored, computed


def _forget():
    db.session.execute(
        update(Submission).values(review_difference=-1.0, list_total=-1.0, decision_rank=9)
    )
    db.session.commit()


def test_refresh_and_the_migration_compute_what_rows_does(mixed):
    period = mixed["period"]
    stored, computed = _stored_and_computed(period)
    assert stored == computed  # kept by the services (and the fixtures that stand in for them)
    assert len({v for v in stored.values()}) > 8  # a mixed set, not all alike

    _forget()
    assert figures.refresh_period(period.id) == len(stored)
    stored, computed = _stored_and_computed(period)
    assert stored == computed

    _forget()
    migration = importlib.import_module("migrations.versions.0020_release_list_figures")
    db.session.execute(
        text(
            f"UPDATE submissions SET review_difference = ABS({migration.NTH % 0} -"
            f" {migration.NTH % 1}), list_total = COALESCE({migration.AGREED}, (SELECT"
            f" AVG({migration.TOTAL}) {migration.REVIEWS})), decision_rank = {migration.RANK}"
        )
    )
    db.session.commit()
    stored, computed = _stored_and_computed(period)
    assert stored == computed


def test_every_writer_keeps_the_figures(marked):
    period, c1 = marked["period"], marked["committee"]
    r1, r3 = marked["reviewer"], marked["r3"]
    from review.services import accounts

    a3 = accounts.create_user("a3", "孙强", "activist", PASSWORD, ["一支部"])
    sub = make_submission(a3, period)
    sub.current.video.reviewable = True
    db.session.commit()

    def check(expected):
        stored, computed = _stored_and_computed(period)
        assert stored == computed
        assert stored[sub.id] == expected

    check((None, None, 0))
    first = editing.claim(r1.id, sub.id)
    editing.submit(r1.id, first.id, full_scores(first, 18))
    check((None, 90, 0))
    second = editing.claim(r3.id, sub.id)
    editing.submit(r3.id, second.id, full_scores(second, 10))
    check((40, 70, 0))
    marks = {c.id: 14 for c in period.rubric_version.criteria}
    decisions.set_decision(sub.id, c1.id, marks, None)
    check((40, 70, 0))  # agreed 70: the same as the mean here
    decisions.set_decision(sub.id, c1.id, {**marks, min(marks): 15}, "pass")
    check((40, 71, 1))
    releases.release(c1.id, period.id, submission_ids=[sub.id])
    check((40, 71, 4))
    releases.withdraw(c1.id, sub.id)
    check((40, 71, 1))
    decisions.set_decision(sub.id, c1.id, {c: None for c in marks}, "fail")
    check((40, 70, 3))  # no agreed marks: the reviewers' mean again
