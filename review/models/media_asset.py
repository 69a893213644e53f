"""Uploaded videos, their processing state and transcript segments."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from review.clock import now
from review.extensions import Model
from review.models._common import UTCDateTime


class VideoState(enum.StrEnum):
    """Video processing states (DESIGN.md)."""

    UPLOADED = "uploaded"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"
    SUPERSEDED = "superseded"  # replaced on a draft before submission: not processed, files gone


class Video(Model):
    """An uploaded video; the original is kept, derived files sit beside it."""

    __tablename__ = "videos"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    period_id: Mapped[int | None] = mapped_column(ForeignKey("periods.id"))
    state: Mapped[str] = mapped_column(String(16), default=VideoState.UPLOADED.value, index=True)
    stage: Mapped[str] = mapped_column(String(16), default="probe")  # next/current step
    progress: Mapped[dict] = mapped_column(JSON, default=dict)  # {"probe": 1.0, "transcode": .4}
    job_id: Mapped[str | None] = mapped_column(String(100))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    error_code: Mapped[str | None] = mapped_column(String(40))
    error_detail: Mapped[str | None] = mapped_column(Text)
    flags: Mapped[list] = mapped_column(JSON, default=list)
    reviewable: Mapped[bool] = mapped_column(Boolean, default=False)

    original_name: Mapped[str] = mapped_column(String(255), default="")
    original_path: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    duration: Mapped[float | None] = mapped_column(Float)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    probe: Mapped[dict] = mapped_column(JSON, default=dict)
    playable_path: Mapped[str | None] = mapped_column(String(500))
    transcoded: Mapped[bool] = mapped_column(Boolean, default=False)
    poster_path: Mapped[str | None] = mapped_column(String(500))
    audio_path: Mapped[str | None] = mapped_column(String(500))
    vtt_path: Mapped[str | None] = mapped_column(String(500))
    transcript_engine: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)

    segments: Mapped[list[TranscriptSegment]] = relationship(
        order_by="TranscriptSegment.position", cascade="all, delete-orphan"
    )


class TranscriptSegment(Model):
    """A timed transcript segment; a human correction is kept beside the original."""

    __tablename__ = "transcript_segments"

    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)  # what is shown: the correction when there is one
    original_text: Mapped[str] = mapped_column(Text)  # what the recogniser heard
    # Party-term replacements in `text` ({"at", "heard", "term", "entry"}, "undone" once undone)
    term_fixes: Mapped[list] = mapped_column(JSON, default=list)
    corrected_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    corrected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ChunkState(enum.StrEnum):
    """Transcription states of one chunk of a video's audio."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"


class TranscriptChunk(Model):
    """A piece of a video's audio, cut at a silence, transcribed by its own `asr` job.

    Its segments (absolute times) stay here until the last chunk is done; the merge then writes
    the video's TranscriptSegments once. A chunk re-run replaces only its own row's segments.
    """

    __tablename__ = "transcript_chunks"
    __table_args__ = (UniqueConstraint("video_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(16), default=ChunkState.PENDING.value)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    prompt: Mapped[str | None] = mapped_column(Text)  # the initial prompt the last run used
    engine: Mapped[str | None] = mapped_column(String(60))
    segments: Mapped[list] = mapped_column(JSON, default=list)  # [[start, end, text], ...]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)
