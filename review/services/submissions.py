"""Submissions: drafts, attaching a video, versions, submitting, released feedback."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from review import clock
from review.exceptions import ConflictError, HuibaoError, NotFoundError, ValidationError
from review.extensions import db
from review.models import (
    Comment,
    Criterion,
    Decision,
    Period,
    Review,
    ReviewState,
    Role,
    Submission,
    SubmissionState,
    SubmissionVersion,
    User,
    Video,
    VideoState,
)
from review.services import audit, figures, revisions
from review.services.feedback import FeedbackRules, rules_for


def get_or_create_draft(
    activist_id: int, period_id: int, *, commit: bool = True
) -> SubmissionVersion:
    """Return the activist's editable version for period, creating the submission if needed.

    After "需修改" the new version is a copy of the one sent back (revisions.copy_into).

    Raises:
        NotFoundError: no such period. ValidationError: the user is not an activist.
        ConflictError: the current version is frozen (submitted) and no revision was asked for.
    """
    user = db.session.get(User, activist_id)
    if user is None or user.role != Role.ACTIVIST.value:
        raise ValidationError(_l("只有入党积极分子可以提交思想汇报。"))
    if db.session.get(Period, period_id) is None:
        raise NotFoundError(_l("找不到该汇报周期。"))
    submission = db.session.scalar(
        select(Submission).where(
            Submission.activist_id == activist_id, Submission.period_id == period_id
        )
    )
    if submission is None:
        submission = Submission(
            activist_id=activist_id,
            period_id=period_id,
            branch_id=user.branch_id,
            state=SubmissionState.DRAFT.value,
        )
        submission.versions.append(SubmissionVersion(number=1))
        db.session.add(submission)
    elif (
        submission.state == SubmissionState.NEEDS_REVISION.value and submission.versions[-1].frozen
    ):
        # A revision starts as a copy of the version sent back, whichever way it is begun
        # (开始修改, or an upload or paper text through the API).
        earlier = submission.versions[-1]
        submission.versions.append(SubmissionVersion(number=earlier.number + 1))
        submission.state = SubmissionState.DRAFT.value
        db.session.flush()  # the copy's files go into the new version's folder
        revisions.copy_into(earlier, submission.versions[-1])
    version = submission.versions[-1]  # the newest: a stored submission always has one
    if version.frozen:
        raise ConflictError(_l("本期思想汇报已提交，不能再修改。"))
    if commit:
        db.session.commit()
    return version


def attach_video(
    activist_id: int, period_id: int, video_id: int, *, commit: bool = True
) -> SubmissionVersion:
    """Attach an uploaded video to the activist's draft for period (replacing an earlier one).

    The video it replaces is marked superseded (no further processing; pipeline.
    purge_superseded removes its files after the commit) unless a submitted version has it.
    """
    version = get_or_create_draft(activist_id, period_id, commit=False)
    old_id = version.video_id
    version.video_id = video_id
    if old_id is not None and old_id != video_id:
        kept = db.session.scalar(
            select(SubmissionVersion.id).where(
                SubmissionVersion.video_id == old_id, SubmissionVersion.submitted_at.is_not(None)
            )
        )
        old = db.session.get(Video, old_id)
        if kept is None and old is not None:
            old.state, old.deadline_at = VideoState.SUPERSEDED.value, None
    if commit:
        db.session.commit()
    return version


def _open_for_changes(version: SubmissionVersion) -> None:
    period = db.session.get_one(Period, version.submission.period_id)
    if period.closes_at < clock.now():
        raise ConflictError(
            _l("“%(name)s”已经截止，不能再提交。", name=period.name), code="period_closed"
        )


def submit_version(activist_id: int, period_id: int) -> SubmissionVersion:
    """Freeze the activist's draft for period: submitted_at set, submission `submitted`.

    Both parts must be present: a video that finished processing without failing, and a
    paper report. A frozen version can no longer change.

    Raises:
        NotFoundError: no such period. ValidationError: not an activist, or a part is missing.
        ConflictError: already submitted, or the period closed.
    """
    submission = db.session.scalar(
        select(Submission).where(
            Submission.activist_id == activist_id, Submission.period_id == period_id
        )
    )
    if (
        submission is not None
        and submission.versions[-1].frozen
        and submission.state != SubmissionState.NEEDS_REVISION.value
    ):
        raise ConflictError(_l("本期思想汇报已经提交，不能重复提交。"), code="already_submitted")
    version = get_or_create_draft(activist_id, period_id, commit=False)
    try:
        _open_for_changes(version)
        _check_complete(version)
        revisions.check_redone(version)
    except HuibaoError:
        db.session.rollback()  # nothing half-made (a new draft) may outlive a refusal
        raise
    version.submitted_at = clock.now()
    version.submission.state = SubmissionState.SUBMITTED.value
    figures.refresh([version.submission_id])  # on the release list from now on: this version's
    audit.record(
        activist_id,
        "submit",
        "submission_version",
        version.id,
        {"submission_id": version.submission_id, "number": version.number},
        commit=False,
    )
    db.session.commit()
    from review.services.analyses import enqueue_analyses

    enqueue_analyses(version.id)  # similarity against the period needs the frozen paper text
    return version


def _check_complete(version: SubmissionVersion) -> None:
    video = version.video
    missing_paper = not version.has_paper
    if video is None and missing_paper:
        raise ValidationError(
            _l("还没有上传视频汇报和书面思想汇报，两部分都齐全后才能提交。"), code="missing_both"
        )
    if video is None:
        raise ValidationError(
            _l("还没有上传视频汇报，请先录制或选择视频上传。"), code="missing_video"
        )
    if video.state == VideoState.FAILED.value:
        raise ValidationError(_l("视频处理失败，请重新上传视频后再提交。"), code="video_failed")
    if video.state != VideoState.READY.value:
        raise ValidationError(
            _l("视频还在处理中，处理完成后才能提交（通常只需几分钟），请稍后再来。"),
            code="video_processing",
        )
    if missing_paper:
        raise ValidationError(
            _l("还没有提交书面思想汇报，请填写文字或上传文件后再提交。"), code="missing_paper"
        )


def start_revision(activist_id: int, period_id: int) -> SubmissionVersion:
    """Open version N+1 after "需修改" as a copy of version N (video, paper parts); idempotent.

    Pressing "开始修改" again (a double click, a second tab) returns the draft already made.

    Raises:
        ConflictError: the submission does not need revision (or the period closed).
    """
    submission = db.session.scalar(
        select(Submission).where(
            Submission.activist_id == activist_id, Submission.period_id == period_id
        )
    )
    if submission is not None and _revision_started(submission):
        return submission.versions[-1]
    if submission is None or submission.state != SubmissionState.NEEDS_REVISION.value:
        raise ConflictError(_l("本期思想汇报不需要修改。"), code="no_revision")
    _open_for_changes(submission.versions[-1])  # before the copy writes any file
    try:
        version = get_or_create_draft(activist_id, period_id, commit=False)
        db.session.commit()
    except IntegrityError:  # a concurrent press made the same version first
        db.session.rollback()
        return _started_revision(activist_id, period_id)
    return version


def _revision_started(submission: Submission) -> bool:
    current = submission.versions[-1]
    return (
        submission.state == SubmissionState.DRAFT.value
        and current.number > 1
        and not (current.frozen)
    )


def _started_revision(activist_id: int, period_id: int) -> SubmissionVersion:
    submission = db.session.scalar(
        select(Submission).where(
            Submission.activist_id == activist_id, Submission.period_id == period_id
        )
    )
    if submission is None or not _revision_started(submission):
        raise ConflictError(_l("本期思想汇报不需要修改。"), code="no_revision")
    return submission.versions[-1]


@dataclass
class Feedback:
    """What the committee released for one version, as the period's rules let it show.

    marks, notes (per criterion id, both reviewers'), overall (the reviewers' overall
    comments) and comments (time-coded, marked visible) stay empty when the period shows
    only the decision (review/services/feedback.py).
    """

    outcome: str | None
    comment: str
    released_at: datetime
    marks: list[tuple[Criterion, float]] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    redo: str | None = None  # with outcome "revise": "video", "paper" or "both"
    notes: dict[int, list[str]] = field(default_factory=dict)
    overall: list[str] = field(default_factory=list)
    rules: FeedbackRules = field(default_factory=lambda: FeedbackRules("scores"))
    version_id: int | None = None

    @property
    def total(self) -> float:
        """Return the sum of the agreed marks."""
        return sum(points for _criterion, points in self.marks)

    @property
    def max_total(self) -> int:
        """Return the sum of the criteria's maximum points."""
        return sum(criterion.max_points for criterion, _points in self.marks)


def revision_feedback(version: SubmissionVersion) -> Feedback | None:
    """Return the released feedback of the version that a draft revises (None otherwise)."""
    earlier = None if version.frozen else revisions.previous_version(version)
    return released_feedback(earlier.id) if earlier is not None else None


def released_feedback(version_id: int) -> Feedback | None:
    """Return a version's feedback once the committee released it; None before that."""
    decision = db.session.scalar(select(Decision).where(Decision.version_id == version_id))
    if decision is None or decision.released_at is None:
        return None
    version = db.session.get_one(SubmissionVersion, version_id)
    rules = rules_for(version.submission.period)
    feedback = Feedback(
        decision.outcome,
        decision.comment or "",
        decision.released_at,
        rules=rules,
        version_id=version_id,
        redo=decision.redo if decision.outcome == "revise" else None,
    )
    if not rules.detailed:
        return feedback
    criteria = {
        c.id: c
        for c in db.session.scalars(
            select(Criterion).where(Criterion.id.in_([m.criterion_id for m in decision.marks]))
        )
    }
    feedback.marks = sorted(
        ((criteria[m.criterion_id], m.points) for m in decision.marks),
        key=lambda pair: pair[0].position,
    )
    reviews = list(
        db.session.scalars(
            select(Review)
            .where(Review.version_id == version_id, Review.state == ReviewState.SUBMITTED.value)
            .order_by(Review.submitted_at, Review.id)
        )
    )
    for review in reviews if rules.with_notes else ():
        for score in review.scores:
            if (score.note or "").strip():
                feedback.notes.setdefault(score.criterion_id, []).append(score.note.strip())
        if (review.overall_comment or "").strip():
            feedback.overall.append(review.overall_comment.strip())
    feedback.comments = sorted(
        (c for r in reviews for c in r.comments if c.visible_to_activist),
        key=lambda c: (c.at_seconds, c.id),
    )
    return feedback
