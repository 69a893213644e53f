"""Resumable (tus) uploads: create, append, finish into a Video, terminate and expire.

The database row is the truth: its offset only counts bytes already fsynced to the
partial file (review/storage.py: uploads/<id>.part). A finished upload is moved to
videos/<upload id>/original.<sniffed ext>, and its Video row, the draft
submission and the upload's completion are committed together.

Uploads that end early are tombstoned, not deleted: meta["state"] becomes "expired" or
"terminated" so that later requests get 410; tombstones are purged after TOMBSTONE_DAYS.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import secrets
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import IO, Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from redis.exceptions import LockError, RedisError
from redis.lock import Lock
from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import SQLAlchemyError

from review import clock, storage
from review.exceptions import (
    ConflictError,
    HuibaoError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from review.extensions import db
from review.models import Period, Role, Upload, User, Video, VideoState
from review.queues import get_redis
from review.services import metrics, pipeline, quotas, submissions
from review.tus import files
from review.tus.errors import (
    ChecksumMismatchError,
    OffsetMismatchError,
    StorageError,
    UploadGoneError,
    UploadLockedError,
    UploadTooLargeError,
    UploadUnavailableError,
)

log = logging.getLogger(__name__)

LOCK_SECONDS = 120  # renewed while a body streams in, so only a dead holder expires
TOMBSTONE_DAYS = 30
PROCESS_DEADLINE_MINUTES = 30  # the reconciler re-enqueues a video still "uploaded" after this
ACTIVE, EXPIRED, TERMINATED = "active", "expired", "terminated"


def lock_name(upload_id: str) -> str:
    """Return the Redis key of an upload's write lock."""
    return f"{current_app.config['REDIS_PREFIX']}upload-lock:{upload_id}"


def get_state(upload: Upload) -> str:
    """Return active, expired or terminated."""
    return (upload.meta or {}).get("state", ACTIVE)


def _expiry(now: datetime) -> datetime:
    return now + timedelta(hours=current_app.config["UPLOAD_EXPIRE_HOURS"])


def _open_period(value: str | None, now: datetime) -> Period:
    if not value:
        raise ValidationError(
            _l("请在 Upload-Metadata 中指定汇报周期（period）。"), code="period_required"
        )
    period = db.session.get(Period, int(value)) if re.fullmatch(r"[0-9]{1,9}", value) else None
    if period is None:
        raise ValidationError(_l("找不到该汇报周期，请刷新页面后重新选择。"), code="bad_period")
    if not period.opens_at <= now <= period.closes_at:
        raise ValidationError(
            _l("“%(name)s”当前不在提交时间内，不能上传视频。", name=period.name),
            code="period_closed",
        )
    return period


def create_upload(
    owner_id: int, length: int, metadata: dict[str, str | None], *, now: datetime | None = None
) -> Upload:
    """Create an upload of length bytes for an activist's report in metadata["period"].

    Raises:
        PermissionDeniedError: the owner is not an activist.
        UploadTooLargeError: length is over MAX_UPLOAD_BYTES.
        ValidationError: an empty file, or a missing, unknown or closed period.
        ConflictError: the activist's report for that period is already submitted.
    """
    now = now or clock.now()
    user = db.session.get(User, owner_id)
    if user is None or not user.has_role(Role.ACTIVIST):
        raise PermissionDeniedError(_l("只有入党积极分子可以上传视频。"))
    if length > current_app.config["MAX_UPLOAD_BYTES"]:
        raise UploadTooLargeError(
            _l(
                "视频文件过大（上限 %(mb)d MB），请压缩后重新上传。",
                mb=current_app.config["MAX_UPLOAD_BYTES"] // 2**20,
            )
        )
    if length == 0:
        raise ValidationError(_l("视频文件是空的，请重新选择。"), code="empty_upload")
    period = _open_period(metadata.get("period"), now)
    try:  # fail before any byte is sent when the report can no longer change
        submissions.get_or_create_draft(owner_id, period.id, commit=False)
    finally:
        db.session.rollback()
    quotas.ensure_upload_allowed(owner_id, period.id, length)
    upload = Upload(
        id=secrets.token_hex(16),
        owner_id=owner_id,
        period_id=period.id,
        length=length,
        offset=0,
        filename=files.display_name(metadata.get("filename")),
        meta={"state": ACTIVE, "client": metadata},
        created_at=now,
        expires_at=_expiry(now),
    )
    db.session.add(upload)
    db.session.commit()
    path = storage.upload_partial(upload.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    return upload


def get_upload(upload_id: str, owner_id: int, *, now: datetime | None = None) -> Upload:
    """Return the owner's live upload.

    Raises:
        NotFoundError: no such upload, or it belongs to someone else.
        UploadGoneError: it expired or was terminated.
    """
    upload = db.session.get(Upload, upload_id) if len(upload_id) == 32 else None
    if upload is None or upload.owner_id != owner_id:
        raise NotFoundError(_l("找不到该上传，请重新选择视频上传。"))
    _ensure_alive(upload, now or clock.now())
    return upload


def _ensure_alive(upload: Upload, now: datetime) -> None:
    state = get_state(upload)
    if state == TERMINATED:
        raise UploadGoneError(_l("该上传已取消，请重新选择视频上传。"))
    if state == EXPIRED or (upload.completed_at is None and upload.expires_at <= now):
        raise UploadGoneError(_l("上传已过期，请重新选择视频上传。"))


@contextlib.contextmanager
def upload_lock(upload_id: str) -> Iterator[Lock]:
    """Hold the upload's Redis write lock, or raise UploadLockedError at once."""
    try:
        lock = get_redis().lock(lock_name(upload_id), timeout=LOCK_SECONDS, blocking=False)
        acquired = lock.acquire()
    except RedisError as exc:
        log.warning("upload lock unavailable for %s: %s", upload_id, exc)
        raise UploadUnavailableError(_l("服务器暂时繁忙，请稍后重试。")) from exc
    if not acquired:
        raise UploadLockedError(_l("该视频正在另一个窗口或设备上上传，请稍后重试。"))
    try:
        yield lock
    finally:
        try:
            lock.release()
        except (LockError, RedisError) as exc:
            log.warning("upload lock for %s not released cleanly: %s", upload_id, exc)


def _keep_lock(lock: Lock) -> Callable[[int], None]:
    """Return a progress callback that renews the lock every third of its lifetime."""
    last = {"renewed": clock.now()}

    def renew(_written: int) -> None:
        if (clock.now() - last["renewed"]).total_seconds() > LOCK_SECONDS / 3:
            try:
                lock.reacquire()
            except (LockError, RedisError) as exc:
                # Someone else may own the file now: stop without cutting it.
                raise UploadLockedError(_l("上传被中断，请稍后重试。")) from exc
            last["renewed"] = clock.now()

    return renew


def append_chunk(
    upload_id: str,
    owner_id: int,
    offset: int,
    stream: IO[bytes],
    *,
    content_length: int | None = None,
    checksum: tuple[str, bytes] | None = None,
) -> Upload:
    """Append a request body at offset; finish the upload when its last byte arrives.

    Bytes of a body cut short by a disconnect are kept (the offset records them) unless a
    checksum was given. A body at the final offset of an unfinished upload retries the finish.

    Raises:
        NotFoundError, UploadGoneError: see get_upload.
        UploadLockedError: another request holds the upload.
        OffsetMismatchError: offset is not the stored offset.
        UploadTooLargeError: the body goes past Upload-Length (the chunk is discarded), or its
            Content-Length is over MAX_CHUNK_BYTES (refused before a byte is read).
        ChecksumMismatchError: the chunk does not match (it is discarded).
        StorageError: the disk refused the bytes (the chunk is discarded).
        HuibaoError: from attach_video when finishing (the bytes are kept).
    """
    most = current_app.config["MAX_CHUNK_BYTES"]
    if content_length is not None and content_length > most:
        raise UploadTooLargeError(
            _l("单次上传的数据过大（每次最多 %(mb)d MB），请分段上传。", mb=most // 1024**2),
            code="chunk_too_large",
        )
    get_upload(upload_id, owner_id)
    quotas.ensure_free_space(content_length)  # before a byte of the body is read
    with upload_lock(upload_id) as lock:
        upload = db.session.get_one(Upload, upload_id, populate_existing=True)
        _ensure_alive(upload, clock.now())
        if offset != upload.offset:
            raise OffsetMismatchError(
                _l("上传进度不一致（服务器已收到 %(n)d 字节），请从该位置继续。", n=upload.offset)
            )
        remaining = upload.length - upload.offset
        if content_length is not None and content_length > remaining:
            raise UploadTooLargeError(_l("上传的数据超出了文件的声明大小。"))
        if upload.completed_at is not None:
            return upload
        if remaining:
            _receive(upload, stream, remaining, checksum, lock)
        if upload.offset == upload.length:
            finish_upload(upload.id)
    return db.session.get_one(Upload, upload_id)


def _receive(
    upload: Upload,
    stream: IO[bytes],
    remaining: int,
    checksum: tuple[str, bytes] | None,
    lock: Lock,
) -> None:
    upload_id, start = upload.id, upload.offset
    hasher = hashlib.new(checksum[0]) if checksum else None
    db.session.rollback()  # no transaction stays open while the body streams in
    try:
        with files.open_partial(storage.upload_partial(upload_id), start) as part:
            try:
                got = part.receive(stream, remaining, hasher=hasher, on_progress=_keep_lock(lock))
            except OSError as exc:
                log.exception("upload %s: cannot store chunk", upload_id)
                part.cut()
                raise StorageError(_l("服务器暂时无法保存视频，请稍后重试。")) from exc
            if got.overflow:
                part.cut()
                raise UploadTooLargeError(_l("上传的数据超出了文件的声明大小。"))
            if checksum and hasher and (got.disconnected or hasher.digest() != checksum[1]):
                part.cut()
                if got.disconnected:  # an unverifiable fragment: the client resends it
                    return
                raise ChecksumMismatchError(_l("数据校验失败，本段已丢弃，请重新上传该段。"))
            # Committed while the file is still locked, so no writer can cut these bytes.
            if got.written and not _set_offset(upload_id, start, start + got.written):
                raise OffsetMismatchError(_l("上传进度不一致，请刷新后继续上传。"))
            metrics.add_upload_bytes(got.written)
    except files.BusyError as exc:
        raise UploadLockedError(_l("该视频正在另一个窗口或设备上上传，请稍后重试。")) from exc
    except files.ShortFileError as exc:
        log.error("upload %s: partial file has %d bytes, row says %d", upload_id, exc.size, start)
        _set_offset(upload_id, start, exc.size)
        raise OffsetMismatchError(
            _l("服务器上的部分数据丢失，请从 %(n)d 字节处继续上传。", n=exc.size)
        ) from exc
    db.session.refresh(upload)


def _set_offset(upload_id: str, old: int, new: int) -> bool:
    """Compare-and-set the stored offset and slide the expiry; tell whether it applied."""
    now = clock.now()
    result: CursorResult[Any] = db.session.execute(  # type: ignore[assignment]  # an UPDATE
        update(Upload)
        .where(Upload.id == upload_id, Upload.offset == old)
        .values(offset=new, expires_at=_expiry(now))
    )
    db.session.commit()
    return result.rowcount == 1


def finish_upload(upload_id: str) -> Video:
    """Turn a fully received upload into a Video on the owner's draft, then enqueue it.

    Idempotent: a finished upload returns its video; an original already moved by an
    attempt whose commit failed is picked up where it lies. The caller holds the lock.

    Raises:
        StorageError: the received bytes are missing.
        HuibaoError: attach_video refused (e.g. ConflictError: the report is frozen); the
            bytes stay in place so the same upload can be finished later.
    """
    upload = db.session.get_one(Upload, upload_id, populate_existing=True)
    if upload.completed_at is not None:
        return db.session.get_one(Video, upload.video_id)
    period_id = upload.period_id  # set when the upload was created (the column allows none)
    if period_id is None:
        raise NotFoundError(_l("找不到该汇报周期。"))
    source = storage.upload_partial(upload_id)
    if not source.exists():
        source = next(storage.video_folder(upload_id).glob("original.*"), source)
    if not source.exists() or source.stat().st_size != upload.length:
        log.error("upload %s: received bytes missing at %s", upload_id, source)
        raise StorageError(_l("服务器上的视频数据丢失，请重新上传。"))
    now = clock.now()
    target = storage.video_folder(upload_id) / f"original{files.sniff_extension(source)}"
    video = Video(
        owner_id=upload.owner_id,
        period_id=upload.period_id,
        state=VideoState.UPLOADED.value,
        original_name=upload.filename,
        original_path=storage.relative(target),
        sha256=files.sha256_of(source),
        size_bytes=upload.length,
        deadline_at=now + timedelta(minutes=PROCESS_DEADLINE_MINUTES),
    )
    try:
        db.session.add(video)
        db.session.flush()
        submissions.attach_video(upload.owner_id, period_id, video.id, commit=False)
        if source != target:
            storage.move_into_place(source, target)
        upload.completed_at, upload.video_id = now, video.id
        db.session.commit()
    except (HuibaoError, SQLAlchemyError):
        db.session.rollback()
        raise
    pipeline.purge_superseded(upload.owner_id)  # the video this one replaced, if any
    pipeline.safe_enqueue(video.id)  # if Redis is down, the reconciler enqueues it later
    return video


def terminate_upload(upload_id: str, owner_id: int) -> None:
    """Cancel an unfinished upload: delete its bytes and keep a tombstone.

    Raises:
        NotFoundError, UploadGoneError, UploadLockedError: see append_chunk.
        ConflictError: the upload already finished (its video belongs to the report).
    """
    upload = get_upload(upload_id, owner_id)
    if upload.completed_at is not None:
        raise ConflictError(_l("该视频已上传完成，不能取消。"), code="upload_completed")
    with upload_lock(upload_id):
        upload = db.session.get_one(Upload, upload_id, populate_existing=True)
        if upload.completed_at is not None:
            raise ConflictError(_l("该视频已上传完成，不能取消。"), code="upload_completed")
        _tombstone(upload, TERMINATED, clock.now())


def _tombstone(upload: Upload, state: str, now: datetime) -> None:
    storage.delete(storage.upload_partial(upload.id))
    upload.meta = {**(upload.meta or {}), "state": state}
    upload.expires_at = min(upload.expires_at, now)
    db.session.commit()


def expire_uploads(now: datetime | None = None) -> int:
    """Delete the files of unfinished uploads past their expiry; return how many expired.

    Rows stay as tombstones (later requests get 410) and are purged after TOMBSTONE_DAYS.
    An upload whose lock is held is skipped: the request holding it extends the expiry.
    """
    now = now or clock.now()
    stale = db.session.scalars(
        select(Upload).where(Upload.completed_at.is_(None), Upload.expires_at <= now)
    ).all()
    expired = 0
    for upload in stale:
        if get_state(upload) != ACTIVE:
            if upload.expires_at <= now - timedelta(days=TOMBSTONE_DAYS):
                db.session.delete(upload)
                db.session.commit()
            continue
        try:
            with upload_lock(upload.id):
                db.session.refresh(upload)
                if upload.completed_at is None and upload.expires_at <= now:
                    _tombstone(upload, EXPIRED, now)
                    expired += 1
        except (UploadLockedError, UploadUnavailableError):
            continue
    return expired
