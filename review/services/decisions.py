"""Agreed marks, the committee's decision, its history, release in batches."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from review.exceptions import ConflictError, NotFoundError, ValidationError
from review.extensions import db
from review.models import (
    AgreedMark,
    Decision,
    DecisionChange,
    Review,
    ReviewState,
    Submission,
    SubmissionVersion,
)
from review.models.decision import OUTCOMES, REDO_SCOPES
from review.services import audit, feedback, figures, releases
from review.services.submissions import Feedback, released_feedback

OUTCOME_LABELS = feedback.OUTCOME_LABELS
outcome_label = feedback.outcome_label


def _submission(submission_id: int) -> Submission:
    submission = db.session.get(Submission, submission_id)
    if submission is None or submission.current is None or not submission.current.frozen:
        raise NotFoundError(_l("找不到该汇报。"))  # a draft is its activist's alone
    return submission


def submitted_reviews(version_id: int) -> list[Review]:
    """Return the submitted reviews of a version, first submitted first."""
    stmt = (
        select(Review)
        .where(Review.version_id == version_id, Review.state == ReviewState.SUBMITTED.value)
        .order_by(Review.submitted_at, Review.id)
    )
    return list(db.session.scalars(stmt))


# Releasing lives in releases.py; decisions.release stays the name existing callers use.
get_decision = releases.get_decision
release = releases.release
ReleaseResult = releases.ReleaseResult


def _snapshot(decision: Decision) -> dict:
    return {
        "outcome": decision.outcome,
        "comment": decision.comment,
        "redo": decision.redo,
        "marks": {str(m.criterion_id): m.points for m in decision.marks},
    }


def set_decision(
    submission_id: int,
    actor_id: int,
    marks: dict[int, float | None],
    outcome: str | None,
    comment: str = "",
    redo: str | None = None,
) -> Decision:
    """Save the agreed marks and outcome of a submission's current version; keep the history.

    With outcome "revise", redo says what the activist must redo: "video", "paper" or "both".

    Raises:
        ValidationError: a mark out of range, an unknown criterion, outcome or redo, or
            "revise" without saying what to redo.
        ConflictError: the result was already released.
    """
    submission = _submission(submission_id)
    version = submission.versions[-1]  # _submission checked there is one
    criteria = {c.id: c for c in submission.period.rubric_version.criteria}
    if outcome not in (None, "", *OUTCOMES):
        raise ValidationError(_l("结论只能是“通过”“需修改”或“不通过”。"))
    if redo not in (None, "", *REDO_SCOPES):
        raise ValidationError(_l("需要重做的部分只能是“视频”“书面汇报”或“两者都要”。"))
    if outcome == "revise" and not redo:
        raise ValidationError(
            _l("结论为“需修改”时，请选择需要重做的部分：视频、书面汇报，或两者都要。"),
            code="redo_missing",
        )
    for criterion_id, points in marks.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            raise ValidationError(_l("评分项不属于本周期的评分标准，请刷新页面后重试。"))
        if points is not None and not 0 <= points <= criterion.max_points:
            raise ValidationError(
                _l(
                    "“%(title)s”的分数须在 0 到 %(max)d 之间。",
                    title=criterion.title,
                    max=criterion.max_points,
                )
            )
    decision = get_decision(version.id)
    if decision is None:
        decision = Decision(version_id=version.id, comment="")
        db.session.add(decision)
        db.session.flush()
    if decision.released_at is not None:
        raise ConflictError(_l("结果已经发布，不能再修改。"))
    before = _snapshot(decision)
    existing = {m.criterion_id: m for m in decision.marks}
    for criterion_id, points in marks.items():
        mark = existing.get(criterion_id)
        if points is None:
            if mark is not None:
                decision.marks.remove(mark)
        elif mark is None:
            decision.marks.append(AgreedMark(criterion_id=criterion_id, points=points))
        else:
            mark.points = points
    decision.outcome = outcome or None
    decision.redo = redo if outcome == "revise" else None
    decision.comment = (comment or "").strip()
    decision.decided_by = actor_id
    after = _snapshot(decision)
    figures.refresh([submission.id])
    if before != after:
        db.session.add(
            DecisionChange(decision_id=decision.id, changed_by=actor_id, before=before, after=after)
        )
        audit.record(
            actor_id,
            "decide",
            "submission",
            submission.id,
            {"outcome": decision.outcome},
            commit=False,
        )
    db.session.commit()
    return decision


def history(submission_id: int) -> list[DecisionChange]:
    """Return every change of a submission's current decision, newest first."""
    decision = get_decision(_submission(submission_id).versions[-1].id)
    if decision is None:
        return []
    stmt = (
        select(DecisionChange)
        .where(DecisionChange.decision_id == decision.id)
        .order_by(DecisionChange.changed_at.desc(), DecisionChange.id.desc())
    )
    return list(db.session.scalars(stmt))


def released_result(submission_id: int) -> Feedback | None:
    """Return what the activist sees for a submission's newest released version, else None."""
    version_id = db.session.scalar(
        select(SubmissionVersion.id)
        .join(Decision, Decision.version_id == SubmissionVersion.id)
        .where(SubmissionVersion.submission_id == submission_id, Decision.released_at.is_not(None))
        .order_by(SubmissionVersion.number.desc())
        .limit(1)
    )
    return None if version_id is None else released_feedback(version_id)
