"""Releasing results in batches (with a confirmed count), withdrawing a release, and noting
when the activist first opened a released result."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from review import clock
from review.exceptions import ConflictError, NotFoundError
from review.extensions import db
from review.i18n import format_dt
from review.models import (
    Criterion,
    Decision,
    Submission,
    SubmissionState,
    SubmissionVersion,
)
from review.services import audit, events, figures
from review.services.feedback import outcome_label
from review.services.notifications import retract


def get_decision(version_id: int) -> Decision | None:
    """Return the decision of a submission version, if any."""
    return db.session.scalar(select(Decision).where(Decision.version_id == version_id))


@dataclass
class ReleasePlan:
    """What a release would do now: the submissions it releases, those it skips and why."""

    ready: list[Submission] = field(default_factory=list)
    skipped: list[tuple[Submission, str]] = field(default_factory=list)

    @property
    def ids(self) -> list[int]:
        """Return the ids of the submissions that would be released."""
        return [s.id for s in self.ready]


@dataclass
class ReleaseResult:
    """What a release did: released submission ids and those skipped with a reason."""

    released: list[int] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)


def _is_complete(decision: Decision | None, criteria: list[Criterion]) -> bool:
    if decision is None or decision.outcome is None:
        return False
    return {m.criterion_id for m in decision.marks} >= {c.id for c in criteria}


def plan(
    period_id: int, *, branch_id: int | None = None, submission_ids: Iterable[int] | None = None
) -> ReleasePlan:
    """Return the release a period, a branch of it or a selection would make now.

    A submission is ready when its current version is submitted, not yet released, and has
    an outcome and every agreed mark; the others of the scope are skipped with a reason.
    """
    stmt = select(Submission).where(Submission.period_id == period_id)
    if branch_id is not None:
        stmt = stmt.where(Submission.branch_id == branch_id)
    if submission_ids is not None:
        stmt = stmt.where(Submission.id.in_(list(submission_ids) or [-1]))
    found = ReleasePlan()
    for submission in db.session.scalars(stmt.order_by(Submission.branch_id, Submission.id)):
        version = submission.current
        if version is None or version.submitted_at is None:
            continue
        decision = get_decision(version.id)
        if decision is not None and decision.released_at is not None:
            continue
        if not _is_complete(decision, submission.period.rubric_version.criteria):
            found.skipped.append((submission, str(_l("尚未认定全部分数和结论"))))
            continue
        found.ready.append(submission)
    return found


def release(
    actor_id: int,
    period_id: int,
    *,
    branch_id: int | None = None,
    submission_ids: list[int] | None = None,
    expected_ids: Iterable[int] | None = None,
) -> ReleaseResult:
    """Release the decided results of a period, a branch of it, or a selection.

    expected_ids is the set the committee confirmed ("将向 N 名积极分子发布结果"); when the
    set ready now differs (a decision changed since), nothing is released. An outcome
    "revise" sends the submission to needs_revision.

    Raises:
        ConflictError: the confirmed set is no longer the one that would be released.
    """
    found = plan(period_id, branch_id=branch_id, submission_ids=submission_ids)
    if expected_ids is not None and set(expected_ids) != set(found.ids):
        raise ConflictError(
            _l(
                "确认后名单有变化：确认时为 %(then)d 名，现在可发布 %(now)d 名。"
                "没有发布任何结果，请核对后重新确认。",
                then=len(set(expected_ids)),
                now=len(found.ids),
            ),
            code="release_changed",
        )
    result, moment = ReleaseResult(), clock.now()
    for submission in found.ready:
        decision = get_decision(submission.versions[-1].id)
        assert decision is not None  # plan() only lists decided submissions
        decision.released_at, decision.released_by, decision.opened_at = moment, actor_id, None
        submission.state = (
            SubmissionState.NEEDS_REVISION.value
            if decision.outcome == "revise"
            else SubmissionState.RELEASED.value
        )
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            label = outcome_label(decision.outcome)
        events.result_released(submission, submission.versions[-1], decision, label)
        result.released.append(submission.id)
    figures.refresh(result.released)
    result.skipped = [(s.id, reason) for s, reason in found.skipped]
    audit.record(
        actor_id,
        "release",
        "period",
        period_id,
        {
            "branch_id": branch_id,
            "released": result.released,
            "skipped": len(result.skipped),
            "confirmed": expected_ids is not None,
        },
        commit=False,
    )
    db.session.commit()
    return result


def withdraw_window() -> timedelta:
    """Return how long after its release a result can be withdrawn (RELEASE_WITHDRAW_HOURS)."""
    return timedelta(hours=float(current_app.config.get("RELEASE_WITHDRAW_HOURS", 24)))


def withdraw_until(decision: Decision) -> datetime | None:
    """Return until when a released decision can be withdrawn, None when it no longer can."""
    if decision.released_at is None or decision.opened_at is not None:
        return None
    until = decision.released_at + withdraw_window()
    return until if clock.now() < until else None


def withdraw(actor_id: int, submission_id: int) -> Decision:
    """Take back a release the activist has not opened, within the window; audited.

    The decision stays (marks, outcome, comment) and can be edited and released again.

    Raises:
        NotFoundError: no such submission. ConflictError: not released, already opened by the
        activist, past the window, or a new version was started.
    """
    submission = db.session.get(Submission, submission_id)
    if submission is None or submission.current is None:
        raise NotFoundError(_l("找不到该汇报。"))
    decision = get_decision(submission.versions[-1].id)
    if decision is None or decision.released_at is None:
        raise ConflictError(_l("这份结果还没有发布，无需撤回。"), code="not_released")
    if decision.opened_at is not None:
        raise ConflictError(
            _l(
                "积极分子已于 %(at)s 查看了结果，不能再撤回。如需更正，请联系积极分子说明。",
                at=format_dt(decision.opened_at),
            ),
            code="already_opened",
        )
    if withdraw_until(decision) is None:
        raise ConflictError(
            _l(
                "结果发布已超过 %(hours)s 小时，不能再撤回。",
                hours=f"{withdraw_window().total_seconds() / 3600:g}",
            ),
            code="withdraw_window_over",
        )
    released_at = decision.released_at
    decision.released_at, decision.released_by = None, None
    retract(  # the notice of a result that is no longer out; released again, it is sent anew
        db.session,
        recipient_id=submission.activist_id,
        kinds=("result_released", "revision_requested"),
        key=f"version-{decision.version_id}",
    )
    submission.state = SubmissionState.REVIEWED.value
    figures.refresh([submission.id])
    audit.record(
        actor_id,
        "withdraw_release",
        "submission",
        submission.id,
        {"released_at": released_at.isoformat(), "outcome": decision.outcome},
        commit=False,
    )
    db.session.commit()
    return decision


def record_opened(version_id: int, activist_id: int, ip: str | None = None) -> bool:
    """Note the activist's first look at a version's released result (page or API).

    Returns:
        True when this was the first look (the release can no longer be withdrawn).
    """
    row = db.session.execute(
        select(Decision, Submission.activist_id)
        .join(SubmissionVersion, SubmissionVersion.id == Decision.version_id)
        .join(Submission, Submission.id == SubmissionVersion.submission_id)
        .where(Decision.version_id == version_id)
    ).first()
    if row is None:
        return False
    decision, owner = row
    if owner != activist_id or decision.released_at is None or decision.opened_at is not None:
        return False
    decision.opened_at = clock.now()
    audit.record(
        activist_id,
        "open_result",
        "submission_version",
        version_id,
        {"released_at": decision.released_at.isoformat()},
        ip=ip,
        commit=False,
    )
    db.session.commit()
    return True
