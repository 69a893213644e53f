"""The storage module: the MEDIA_ROOT layout, durable writes, safe lookups, X-Accel paths."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest
from flask import Flask

from review import storage


@pytest.fixture
def media_root(tmp_path):
    """An app context whose MEDIA_ROOT is a fresh folder (storage needs nothing else)."""
    app = Flask(__name__)
    app.config["MEDIA_ROOT"] = tmp_path / "media"
    with app.app_context():
        yield tmp_path / "media"


def test_layout(media_root):
    video = SimpleNamespace(original_path="videos/abc/original.mp4")
    assert storage.upload_partial("u1") == media_root / "uploads" / "u1.part"
    assert storage.video_folder("abc") == media_root / "videos" / "abc"
    assert storage.video_file(video, "poster.jpg") == media_root / "videos" / "abc" / "poster.jpg"
    assert storage.paper_folder(7) == media_root / "papers" / "7"
    assert (
        storage.paper_path(SimpleNamespace(path="papers/7/a.pdf")) == media_root / "papers/7/a.pdf"
    )
    assert storage.export_file("export-csv-1", "csv") == media_root / "exports" / "export-csv-1.csv"
    assert (media_root / "exports").is_dir()
    assert storage.relative(media_root / "videos" / "abc" / "x.wav") == "videos/abc/x.wav"
    assert storage.path(None) is None
    with pytest.raises(ValueError):
        storage.video_file(video, "../../etc/passwd")


def test_new_video_folders_are_distinct(media_root):
    first, second = storage.new_video_folder(), storage.new_video_folder()
    assert first != second and first.is_dir() and second.is_dir()
    assert first.parent == media_root / "videos"


def test_write_bytes_replaces_atomically(media_root):
    target = storage.paper_folder(1) / "report.pdf"
    storage.write_bytes(target, b"one")
    storage.write_bytes(target, b"two")
    assert target.read_bytes() == b"two"
    assert os.listdir(target.parent) == ["report.pdf"]  # no temporary file left behind


def test_move_into_place(media_root, tmp_path):
    source = tmp_path / "incoming.part"
    source.write_bytes(b"video")
    target = storage.video_folder("abc") / "original.mp4"
    storage.move_into_place(source, target)
    assert target.read_bytes() == b"video" and not source.exists()


def test_resolve_refuses_missing_and_outside_files(media_root, tmp_path):
    (tmp_path / "secret.txt").write_text("x")
    storage.write_bytes(media_root / "videos" / "abc" / "poster.jpg", b"jpg")
    assert (
        storage.resolve("videos/abc/poster.jpg") == (media_root / "videos/abc/poster.jpg").resolve()
    )
    assert storage.resolve("../secret.txt") is None
    assert storage.resolve("videos/abc/missing.jpg") is None
    assert storage.resolve("videos/abc") is None  # a folder is not a file
    assert storage.resolve("") is None and storage.resolve(None) is None


def test_accel_path_quotes_the_path_under_the_prefix(media_root):
    stored = media_root / "papers" / "3" / "第 1 页.jpg"
    storage.write_bytes(stored, b"jpg")
    assert storage.accel_path(stored, "/protected-media/") == (
        "/protected-media/papers/3/%E7%AC%AC%201%20%E9%A1%B5.jpg"
    )


def test_delete_tolerates_a_missing_file(media_root):
    stored = storage.paper_folder(2) / "a.jpg"
    storage.write_bytes(stored, b"x")
    storage.delete(stored)
    storage.delete(stored)
    assert not stored.exists()


def test_free_bytes_is_the_filesystem_of_media_root(media_root):
    import shutil

    media_root.mkdir(parents=True, exist_ok=True)
    assert abs(storage.free_bytes() - shutil.disk_usage(media_root).free) < 2**30
