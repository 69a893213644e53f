"""Administration: reviewer assignments, account status, periods, failed videos, queues."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from rq.registry import FailedJobRegistry, StartedJobRegistry

from review import clock
from review.exceptions import ConflictError, NotFoundError, ValidationError
from review.extensions import db
from review.models import Branch, Period, Role, User, Video, VideoState
from review.services import accounts, audit, events, passwords, pipeline
from review.services.health import WorkerBeat, worker_heartbeats
from review.services.periods import _local_dt


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFoundError(_l("找不到该账号。"))
    return user


def assign_reviewer(
    user_id: int, branch_id: int, assigned: bool, actor_id: int | None = None
) -> None:
    """Assign a reviewer to a branch, or take the assignment away."""
    user, branch = _user(user_id), db.session.get(Branch, branch_id)
    if branch is None:
        raise NotFoundError(_l("找不到该支部。"))
    if not user.has_role(Role.REVIEWER):
        raise ValidationError(_l("只有支部审阅人可以分配到支部。"))
    if assigned and branch not in user.reviewer_of:
        user.reviewer_of.append(branch)
    elif not assigned and branch in user.reviewer_of:
        user.reviewer_of.remove(branch)
    audit.record(
        actor_id,
        "assign" if assigned else "unassign",
        "user",
        user.id,
        {"branch_id": branch.id},
        commit=False,
    )
    db.session.commit()


def set_active(user_id: int, active: bool, actor_id: int | None = None) -> User:
    """Activate or deactivate an account (a deactivated user cannot log in)."""
    user = _user(user_id)
    if not active and user.id == actor_id:
        raise ConflictError(_l("不能停用自己的账号。"))
    user.active = active
    if not active:
        accounts.end_sessions(user)
    audit.record(actor_id, "activate" if active else "deactivate", "user", user.id, commit=False)
    db.session.commit()
    return user


def reset_password(user_id: int, actor_id: int | None = None) -> str:
    """Give the user a one-time password they must change at the next login; return it."""
    user = _user(user_id)
    password = passwords.new_password(user.username, user.name)
    user.set_password(password)
    user.must_change_password = True
    accounts.end_sessions(user)
    events.password_changed(user, "admin")
    audit.record(actor_id, "reset_password", "user", user.id, commit=False)
    db.session.commit()
    return password


def update_period(
    period_id: int,
    *,
    closes: date | None = None,
    oath_required: bool | None = None,
    double_marking: bool | None = None,
    actor_id: int | None = None,
) -> Period:
    """Change a period's deadline and switches."""
    period = db.session.get(Period, period_id)
    if period is None:
        raise NotFoundError(_l("找不到该汇报周期。"))
    if closes is not None:
        closes_at = _local_dt(closes, True)
        if closes_at <= period.opens_at:
            raise ValidationError(_l("截止时间必须晚于开始时间。"))
        period.closes_at = closes_at
    if oath_required is not None:
        period.oath_required = oath_required
    if double_marking is not None:
        period.double_marking = double_marking
    audit.record(
        actor_id,
        "update",
        "period",
        period.id,
        {
            "closes_at": period.closes_at.isoformat(),
            "oath": period.oath_required,
            "double": period.double_marking,
        },
        commit=False,
    )
    db.session.commit()
    return period


def close_period(period_id: int, actor_id: int | None = None) -> Period:
    """Close a period now: no more submissions."""
    period = db.session.get(Period, period_id)
    if period is None:
        raise NotFoundError(_l("找不到该汇报周期。"))
    now = clock.now()
    if period.closes_at <= now:
        raise ConflictError(_l("该周期已经截止。"))
    period.closes_at = max(now, period.opens_at)
    audit.record(actor_id, "close", "period", period.id, commit=False)
    db.session.commit()
    return period


def retry_video(video_id: int, actor_id: int | None = None) -> list[str]:
    """Send a failed video through processing again from the start; return the jobs queued."""
    video = db.session.get(Video, video_id)
    if video is None:
        raise NotFoundError(_l("找不到该视频。"))
    if video.state != VideoState.FAILED.value:
        raise ConflictError(_l("只有处理失败的视频可以重试。"))
    video.state = VideoState.UPLOADED.value
    video.error_code = video.error_detail = None
    video.attempts = 0
    audit.record(actor_id, "retry", "video", video.id, commit=False)
    db.session.commit()
    return pipeline.enqueue_video(video.id)


@dataclass
class QueueInfo:
    """One RQ queue at a glance."""

    name: str
    queued: int
    started: int
    failed: int


def queue_overview() -> tuple[list[QueueInfo], list[WorkerBeat]]:
    """Return the RQ queues' counts and the registered workers with their heartbeats."""
    queues = current_app.extensions["rq"]
    info = [
        QueueInfo(
            name, q.count, StartedJobRegistry(queue=q).count, FailedJobRegistry(queue=q).count
        )
        for name, q in queues.items()
    ]
    return info, worker_heartbeats()


def new_password(username: str = "", name: str = "") -> str:
    """Return a random one-time password that passes the strength check."""
    return passwords.new_password(username, name)
