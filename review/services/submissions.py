"""Submissions: drafts, attaching a video, versions."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from review.exceptions import ConflictError, NotFoundError, ValidationError
from review.extensions import db
from review.models import Period, Role, Submission, SubmissionState, SubmissionVersion, User


def get_or_create_draft(activist_id: int, period_id: int, *, commit: bool = True) -> SubmissionVersion:
    """Return the activist's editable version for period, creating the submission if needed.

    Raises:
        NotFoundError: no such period. ValidationError: the user is not an activist.
        ConflictError: the current version is frozen (submitted) and no revision was asked for.
    """
    user = db.session.get(User, activist_id)
    if user is None or user.role != Role.ACTIVIST.value:
        raise ValidationError(_l("只有入党积极分子可以提交思想汇报。"))
    if db.session.get(Period, period_id) is None:
        raise NotFoundError(_l("找不到该汇报周期。"))
    submission = db.session.scalar(select(Submission).where(
        Submission.activist_id == activist_id, Submission.period_id == period_id))
    if submission is None:
        submission = Submission(activist_id=activist_id, period_id=period_id,
                                branch_id=user.branch_id, state=SubmissionState.DRAFT.value)
        submission.versions.append(SubmissionVersion(number=1))
        db.session.add(submission)
    elif submission.state == SubmissionState.NEEDS_REVISION.value and submission.current.frozen:
        submission.versions.append(SubmissionVersion(number=submission.current.number + 1))
        submission.state = SubmissionState.DRAFT.value
    version = submission.current
    if version.frozen:
        raise ConflictError(_l("本期思想汇报已提交，不能再修改。"))
    if commit:
        db.session.commit()
    return version


def attach_video(activist_id: int, period_id: int, video_id: int, *, commit: bool = True) -> SubmissionVersion:
    """Attach an uploaded video to the activist's draft for period (replacing an earlier one)."""
    version = get_or_create_draft(activist_id, period_id, commit=False)
    version.video_id = video_id
    if commit:
        db.session.commit()
    return version
