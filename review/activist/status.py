"""Plain-words state of an activist's report: 上传中 / 处理中 xx% / 待审阅 / ... (for templates)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from review import clock
from review.extensions import db
from review.labels import label
from review.models import Submission, SubmissionVersion, Upload, Video, VideoState
from review.services.media_errors import flag_label, reason
from review.services.revisions import RedoStatus

# Share of each pipeline step in the overall percentage; static/js/activist.js uses the same.
STEP_WEIGHTS = {"probe": 10, "audio": 5, "transcode": 40, "transcribe": 45}
SHOWN_FLAGS = ("no_audio", "no_speech", "low_volume", "short_video")


@dataclass
class Status:
    """One line the activist reads: a key for styling, the words, and what to do."""

    key: str
    text: str
    detail: str = ""
    flags: list[str] = field(default_factory=list)


def processing_percent(video: Video) -> int:
    """Return the overall processing percentage of a video (0–100)."""
    if video.state == VideoState.READY.value:
        return 100
    progress = video.progress or {}
    steps = [s for s in STEP_WEIGHTS if s != "audio" or "audio" in progress]
    total = sum(STEP_WEIGHTS[s] for s in steps)
    done = sum(STEP_WEIGHTS[s] * float(progress.get(s, 0.0)) for s in steps)
    return min(99, int(100 * done / total))


def video_flags(video: Video | None) -> list[str]:
    """Return the Chinese labels of the flags an activist should act on before review."""
    if video is None:
        return []
    return [flag_label(code) for code in video.flags or [] if code in SHOWN_FLAGS]


def failure_reason(video: Video) -> str:
    """Return the Chinese reason a video failed, with what to do."""
    cfg = current_app.config
    return reason(
        video.error_code, min_seconds=cfg["MIN_DURATION"], max_seconds=cfg["MAX_DURATION"]
    )


def pending_upload(activist_id: int, period_id: int, after: datetime | None) -> Upload | None:
    """Return the activist's unfinished, live upload for period started after `after`."""
    now = clock.now()
    stmt = select(Upload).where(
        Upload.owner_id == activist_id,
        Upload.period_id == period_id,
        Upload.completed_at.is_(None),
        Upload.expires_at > now,
    )
    if after is not None:
        stmt = stmt.where(Upload.created_at > after)
    for upload in db.session.scalars(stmt.order_by(Upload.created_at.desc()).limit(5)):
        if (upload.meta or {}).get("state", "active") == "active":
            return upload
    return None


def video_status(video: Video | None, upload: Upload | None = None) -> Status:
    """Describe the video part: 未上传 / 上传中 / 处理中 xx% / 处理完成 / 处理失败."""
    if upload is not None:
        percent = int(100 * upload.offset / upload.length) if upload.length else 0
        return Status(
            "uploading",
            _("上传中 %(p)d%%", p=percent),
            _("上传尚未完成，请在本页重新选择同一个视频，会从中断处继续。"),
        )
    if video is None:
        return Status("missing", _("未上传"))
    if video.state == VideoState.FAILED.value:
        return Status("failed", _("处理失败"), failure_reason(video))
    if video.state != VideoState.READY.value:
        return Status(
            "processing",
            _("处理中 %(p)d%%", p=processing_percent(video)),
            _("视频已收到，正在转码和识别语音，请稍候。"),
        )
    return Status("ready", _("处理完成"), flags=video_flags(video))


def report_status(
    submission: Submission | None,
    version: SubmissionVersion | None,
    upload: Upload | None = None,
    redo: RedoStatus | None = None,
) -> Status:
    """Describe the whole report in plain words, the most useful word first.

    redo (a revision's revisions.redo_status) holds a report back while a part the committee
    asked to redo is still the previous version's.
    """
    video = version.video if version else None
    if upload is not None and (version is None or not version.frozen):
        return video_status(video, upload)
    if submission is None or version is None:
        return Status("missing", _("未开始"), _("请上传视频汇报并提交书面思想汇报。"))
    if not version.frozen:
        part = video_status(video, upload)
        if part.key in ("uploading", "processing", "failed"):
            return part
        if redo is not None and (redo.video_pending or redo.paper_pending):
            return Status(
                "draft",
                _("待修改"),
                _("请先按党委的要求%(what)s，完成后才能提交。", what=_redo_words(redo)),
                flags=part.flags,
            )
        if submission.state == "draft" and video is not None and version.has_paper:
            return Status(
                "ready",
                _("可以提交"),
                _("视频和书面汇报都已齐全，请确认后提交。"),
                flags=part.flags,
            )
        return Status(
            "draft",
            label("submission", "draft"),
            _("还有内容未完成，见下方清单。"),
            flags=part.flags,
        )
    state = submission.state
    if state == "reviewed":  # results are the committee's to release: still "in review" here
        state = "in_review"
    words = {
        "submitted": _("已提交，等待支部审阅。"),
        "in_review": _("审阅人正在审阅，请耐心等待。"),
        "released": _("审阅结果已发布，请查看下方反馈。"),
        "needs_revision": _("请根据反馈修改后重新提交。"),
    }
    return Status(state, label("submission", state), words.get(state, ""))


def _redo_words(redo: RedoStatus) -> str:
    if redo.video_pending and redo.paper_pending:
        return _("重新录制视频并修改书面汇报")
    return _("重新录制视频") if redo.video_pending else _("修改书面汇报")


def paper_summary(version: SubmissionVersion | None) -> str:
    """Return a short description of the paper report: kind and size."""
    if version is None or not version.has_paper:
        return _("未提交")
    kind = version.paper_kind
    if kind == "text":
        return _("已填写（%(n)d 字）", n=len(re.sub(r"\s", "", version.paper_text)))
    if kind == "photos":
        return _("已上传手写稿照片 %(n)d 张", n=len(version.paper_files))
    return _("已上传 %(kind)s 文件", kind=(kind or "").upper())


def days_left(closes_at: datetime) -> int:
    """Return whole days until a deadline (0 on the last day, negative after it)."""
    return (closes_at - clock.now()).days


def outcome_label(outcome: str | None) -> str:
    """Return the Chinese word for a decision outcome: 通过 / 需修改 / 不通过."""
    return {"pass": _("通过"), "revise": _("需修改"), "fail": _("不通过")}.get(outcome or "", "")
