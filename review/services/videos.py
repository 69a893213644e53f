"""Register a video file that is already on this machine (CLI imports, tests, tools).

Uploads from clients go through the tus service (review/services/uploads.py); both store
the original the same way: sniffed extension, fsync, atomic move, one commit, enqueue.
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

from review import clock, storage
from review.extensions import db
from review.models import Video, VideoState
from review.services import pipeline
from review.services.submissions import attach_video
from review.tus import files


def ingest_file(
    owner_id: int, period_id: int, source: Path, display_name: str = "", *, move: bool = True
) -> Video:
    """Move (or copy) a complete file into storage, create its Video row and attach it."""
    folder = storage.new_video_folder()
    if not move:
        copy = folder / "original.part"
        shutil.copyfile(source, copy)
        source = copy
    target = folder / f"original{files.sniff_extension(source)}"
    storage.move_into_place(source, target)
    video = Video(
        owner_id=owner_id,
        period_id=period_id,
        state=VideoState.UPLOADED.value,
        stage="probe",
        original_name=display_name[:255],
        original_path=storage.relative(target),
        sha256=files.sha256_of(target),
        size_bytes=target.stat().st_size,
        deadline_at=clock.now() + timedelta(minutes=30),
    )
    db.session.add(video)
    db.session.flush()
    attach_video(owner_id, period_id, video.id, commit=False)
    db.session.commit()
    pipeline.purge_superseded(owner_id)
    pipeline.safe_enqueue(video.id)
    return video
