"""Notices sent the moment something happens: a video failed, a result released, a password changed.

Each writes its outbox rows in the caller's transaction (the caller commits), in Chinese
whatever the language of the page that caused it; the kinds are in notifications/kinds.py.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from review import clock
from review.extensions import db
from review.i18n import format_dt
from review.models import Decision, Period, Submission, SubmissionVersion, User, Video
from review.services.media_errors import reason
from review.services.notifications import notify
from review.services.revisions import redo_label


def activist_link(period_id: int | None) -> str:
    """Return the path of an activist's report page for a period (their home without one)."""
    return f"/my/periods/{period_id}/" if period_id else "/my/"


def video_failed(video: Video) -> None:
    """Tell the owner their video failed, why, and to record again while the period is open."""
    cfg = current_app.config
    period = db.session.get(Period, video.period_id) if video.period_id else None
    with force_locale(cfg["BABEL_DEFAULT_LOCALE"]):
        why = reason(
            video.error_code, min_seconds=cfg["MIN_DURATION"], max_seconds=cfg["MAX_DURATION"]
        )
        if period is not None and clock.now() <= period.closes_at:
            then = _(
                "请重新录制并上传，%(period)s的截止时间是 %(when)s。",
                period=period.name,
                when=format_dt(period.closes_at),
            )
        elif period is not None:
            then = _("%(period)s已经截止，如需补交请联系支部。", period=period.name)
        else:
            then = _("请重新录制并上传。")
        title = _("视频处理失败")
        body = _("您上传的视频没有处理成功：%(why)s\n%(then)s", why=why, then=then)
    notify(
        db.session,
        recipient_id=video.owner_id,
        kind="video_failed",
        key=f"video-{video.id}",
        title=title,
        body=body,
        link=activist_link(video.period_id),
    )


def result_released(
    submission: Submission, version: SubmissionVersion, decision: Decision, outcome: str
) -> None:
    """Tell the activist their result is out: the decision (outcome: its label), what to redo."""
    period = submission.period
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        if decision.outcome == "revise":
            kind, title = "revision_requested", _("思想汇报需修改")
            redo, comment = redo_label(decision.redo), decision.comment.strip()
            body = _(
                "您%(period)s的思想汇报（第 %(n)d 版）审阅结论为“需修改”。",
                period=period.name,
                n=version.number,
            )
            if redo:
                body += "\n" + _("党委的要求：%(redo)s。", redo=redo)
            if comment:
                body += "\n" + _("审阅意见：%(comment)s", comment=comment)
            body += "\n" + _(
                "请打开汇报页面查看评分和审阅意见，点击“开始修改”后重新录制或修改书面汇报，"
                "再次提交。"
            )
        else:
            kind, title = "result_released", _("审阅结果已发布")
            body = _(
                "您%(period)s的思想汇报（第 %(n)d 版）审阅结果已发布：%(outcome)s。",
                period=period.name,
                n=version.number,
                outcome=outcome,
            )
            body += "\n" + _("评分和审阅意见请在汇报页面的“审阅结果”中查看。")
    notify(
        db.session,
        recipient_id=submission.activist_id,
        kind=kind,
        key=f"version-{version.id}",
        title=title,
        body=body,
        link=activist_link(period.id),
    )


HOW = {
    "reset": _l("通过邮件中的重置链接重新设置"),
    "own": _l("在“修改密码”页面修改"),
    "admin": _l("由管理员重置"),
}


def password_changed(user: User, how: str) -> None:
    """Tell the user their password was changed (how: reset, own, admin), and what to do if not."""
    moment = clock.now()
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        title = _("您的密码已修改")
        body = _(
            "您的汇报系统账号（%(username)s）的密码已于 %(when)s %(how)s，"
            "所有设备上的登录都已退出。",
            username=user.username,
            when=format_dt(moment),
            how=str(HOW[how]),
        )
        body += "\n" + _("如果这不是您本人的操作，请立即联系支部或系统管理员。")
    notify(
        db.session,
        recipient_id=user.id,
        kind="password_changed",
        key=f"password-{user.id}-{moment.timestamp():.6f}",
        title=title,
        body=body,
        link="/login",
    )
