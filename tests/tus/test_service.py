"""The upload service directly: interrupted bodies, lost files, disk errors, the sweep."""

from __future__ import annotations

import errno
import hashlib
import io
from datetime import UTC, datetime, timedelta

import pytest

from review import storage
from review.extensions import db
from review.models import Upload, Video
from review.services import uploads
from review.tus import errors, files


@pytest.fixture
def upload(people):
    """A 10-byte upload of activist a1."""
    return uploads.create_upload(
        people["activist"].id, 10, {"filename": "a.mp4", "period": str(people["period"].id)}
    )


class Dropping(io.RawIOBase):
    """A request body whose client goes away after sending some bytes."""

    def __init__(self, data: bytes):
        self.data, self.sent = data, False

    def read(self, size=-1):
        if self.sent:
            raise ConnectionResetError("client went away")
        self.sent = True
        return self.data


def test_disconnect_keeps_what_arrived(upload, people):
    owner = people["activist"].id
    result = uploads.append_chunk(upload.id, owner, 0, Dropping(b"abcd"), content_length=10)
    assert result.offset == 4
    assert storage.upload_partial(upload.id).read_bytes() == b"abcd"
    result = uploads.append_chunk(upload.id, owner, 4, io.BytesIO(b"efghij"))
    assert result.completed_at is not None
    assert (
        db.session.get(Video, result.video_id).sha256 == hashlib.sha256(b"abcdefghij").hexdigest()
    )


def test_disconnect_with_a_checksum_discards_the_chunk(upload, people):
    digest = hashlib.sha1(b"abcdefghij").digest()
    result = uploads.append_chunk(
        upload.id, people["activist"].id, 0, Dropping(b"abcd"), checksum=("sha1", digest)
    )
    assert result.offset == 0
    assert storage.upload_partial(upload.id).read_bytes() == b""


def test_lost_partial_file_rewinds_the_offset(upload, people):
    owner = people["activist"].id
    uploads.append_chunk(upload.id, owner, 0, io.BytesIO(b"abcd"))
    storage.upload_partial(upload.id).write_bytes(b"ab")
    with pytest.raises(errors.OffsetMismatchError):
        uploads.append_chunk(upload.id, owner, 4, io.BytesIO(b"efgh"))
    assert db.session.get(Upload, upload.id, populate_existing=True).offset == 2


def test_disk_error_discards_the_chunk(upload, people, monkeypatch):
    owner = people["activist"].id
    uploads.append_chunk(upload.id, owner, 0, io.BytesIO(b"abc"))
    real = files.PartialFile.receive

    def full_disk(self, stream, limit, **kwargs):
        real(self, io.BytesIO(b"zz"), limit)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.PartialFile, "receive", full_disk)
    with pytest.raises(errors.StorageError) as info:
        uploads.append_chunk(upload.id, owner, 3, io.BytesIO(b"def"))
    assert info.value.status == 507
    assert storage.upload_partial(upload.id).read_bytes() == b"abc"
    assert db.session.get(Upload, upload.id, populate_existing=True).offset == 3


def test_finish_picks_up_an_original_moved_before_a_failed_commit(upload, people):
    owner = people["activist"].id
    uploads.append_chunk(upload.id, owner, 0, io.BytesIO(b"abcdefghi"))
    # Simulate a crash after the final bytes were stored and moved, before the commit.
    db.session.execute(db.update(Upload).where(Upload.id == upload.id).values(offset=10))
    db.session.commit()
    with open(storage.upload_partial(upload.id), "ab") as part:
        part.write(b"j")
    target = storage.video_folder(upload.id) / "original.bin"
    storage.move_into_place(storage.upload_partial(upload.id), target)
    video = uploads.finish_upload(upload.id)
    assert video.original_path == f"videos/{upload.id}/original.bin"
    assert video.sha256 == hashlib.sha256(b"abcdefghij").hexdigest()
    assert uploads.finish_upload(upload.id).id == video.id  # idempotent


def test_second_writer_on_the_same_host_gets_423(upload, people):
    with (
        files.open_partial(storage.upload_partial(upload.id), 0),
        pytest.raises(errors.UploadLockedError),
    ):
        uploads.append_chunk(upload.id, people["activist"].id, 0, io.BytesIO(b"abc"))
    assert db.session.get(Upload, upload.id, populate_existing=True).offset == 0


def test_sweep_skips_an_upload_being_written(app, upload):
    db.session.get(Upload, upload.id).expires_at = datetime.now(UTC) - timedelta(hours=1)
    db.session.commit()
    lock = app.extensions["redis"].lock(uploads.lock_name(upload.id), timeout=30)
    assert lock.acquire(blocking=False)
    try:
        assert uploads.expire_uploads() == 0
        assert storage.upload_partial(upload.id).exists()
    finally:
        lock.release()
    assert uploads.expire_uploads() == 1
    assert not storage.upload_partial(upload.id).exists()
    assert uploads.get_state(db.session.get(Upload, upload.id, populate_existing=True)) == "expired"


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\李\\视频.mp4", "视频.mp4"),
        ("a\x00b\u202e4pm.exe", "ab4pm.exe"),
        ("x" * 300, "x" * 255),
        (None, ""),
    ],
)
def test_display_name(raw, shown):
    assert files.display_name(raw) == shown
