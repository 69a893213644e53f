"""Store an uploaded original in media storage and register its Video row."""
from __future__ import annotations

import hashlib
import os
import secrets
import shutil
from datetime import timedelta
from pathlib import Path

from flask import current_app

from review.extensions import db
from review.models import Video, VideoState
from review.services import pipeline
from review.services.submissions import attach_video

SNIFF = ((b"ftyp", 4, ".mp4"), (b"\x1aE\xdf\xa3", 0, ".mkv"), (b"RIFF", 0, ".avi"))


def sniff_extension(path: Path) -> str:
    """Pick the stored file's extension from its first bytes, never from the client's name."""
    with path.open("rb") as fh:
        head = fh.read(16)
    for magic, offset, ext in SNIFF:
        if head[offset:offset + len(magic)] == magic:
            return ".mov" if ext == ".mp4" and head[8:12] == b"qt  " else ext
    return ".bin"


def sha256_of(path: Path) -> str:
    """Return the hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def ingest_file(owner_id: int, period_id: int, source: Path, display_name: str = "", *,
                move: bool = True, sha256: str | None = None) -> Video:
    """Move (or copy) a complete upload into storage, create its Video row and attach it.

    The file is fsynced and renamed into place before the row is committed, so a committed
    row always has its original. Processing is enqueued after the commit; if Redis is
    down the reconciler enqueues it later.
    """
    root = Path(current_app.config["MEDIA_ROOT"])
    folder = root / "videos" / secrets.token_hex(8)
    folder.mkdir(parents=True)
    target = folder / ("original" + sniff_extension(source))
    if move:
        with source.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(source, target)
    else:
        partial = folder / "original.part"
        shutil.copyfile(source, partial)
        with partial.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(partial, target)
    _fsync_dir(folder)
    video = Video(owner_id=owner_id, period_id=period_id, state=VideoState.UPLOADED.value,
                  stage="probe", original_name=display_name[:255],
                  original_path=str(target.relative_to(root)),
                  sha256=sha256 or sha256_of(target), size_bytes=target.stat().st_size,
                  deadline_at=pipeline.now() + timedelta(minutes=5))
    db.session.add(video)
    db.session.flush()
    attach_video(owner_id, period_id, video.id, commit=False)
    db.session.commit()
    pipeline.safe_enqueue(video.id)
    return video


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
