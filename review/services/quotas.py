"""Limits on what one activist may make the server store: unfinished uploads, bytes per
period, and free disk space under MEDIA_ROOT before any byte is accepted."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from review import clock, storage
from review.exceptions import HuibaoError
from review.extensions import db
from review.models import Upload


class TooManyUploadsError(HuibaoError):
    """The activist already has MAX_ACTIVE_UPLOADS unfinished uploads."""

    code = "too_many_uploads"
    status = 429


class UploadBudgetError(HuibaoError):
    """The activist's uploads for the period would pass UPLOAD_BUDGET_MB."""

    code = "upload_budget"
    status = 413


class InsufficientStorageError(HuibaoError):
    """MEDIA_ROOT has less free space than MIN_FREE_DISK_MB plus the incoming bytes."""

    code = "insufficient_storage"
    status = 507


def limit(name: str) -> int:
    """Return a quota from the config (defaults in review/config.py)."""
    return int(current_app.config[name])


def ensure_free_space(incoming: int | None) -> None:
    """Refuse before reading a body when the disk would drop below MIN_FREE_DISK_MB.

    Raises:
        InsufficientStorageError: too little free space under MEDIA_ROOT.
    """
    storage.root().mkdir(parents=True, exist_ok=True)
    free = storage.free_bytes()
    if free - (incoming or 0) < limit("MIN_FREE_DISK_MB") * 2**20:
        raise InsufficientStorageError(
            _l("服务器存储空间不足，暂时无法接收文件。请稍后再试；如果一直失败，请联系管理员。")
        )


def _unfinished(upload: Upload, now: datetime) -> bool:
    state = (upload.meta or {}).get("state", "active")
    return upload.completed_at is None and state == "active" and upload.expires_at > now


def ensure_upload_allowed(owner_id: int, period_id: int, length: int) -> None:
    """Check an activist's new upload of length bytes against the quotas and the disk.

    Raises:
        TooManyUploadsError: MAX_ACTIVE_UPLOADS unfinished uploads already.
        UploadBudgetError: the period's uploads would pass UPLOAD_BUDGET_MB.
        InsufficientStorageError: see ensure_free_space.
    """
    now = clock.now()
    mine = db.session.scalars(select(Upload).where(Upload.owner_id == owner_id)).all()
    active = sum(1 for u in mine if _unfinished(u, now))
    if active >= limit("MAX_ACTIVE_UPLOADS"):
        raise TooManyUploadsError(
            _l(
                "您有 %(n)d 个视频还没有上传完，请先继续或取消它们，再上传新的视频。",
                n=active,
            )
        )
    # Bytes the server took for this period: whole files, and what abandoned ones received.
    used = sum(
        u.length if u.completed_at is not None or _unfinished(u, now) else u.offset
        for u in mine
        if u.period_id == period_id
    )
    budget = limit("UPLOAD_BUDGET_MB") * 2**20
    if used + length > budget:
        raise UploadBudgetError(
            _l(
                "本期上传的视频总量已达上限（%(mb)d MB），不能再上传。请联系支部说明情况。",
                mb=budget // 2**20,
            )
        )
    ensure_free_space(length)
