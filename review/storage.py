"""Where each kind of file lives under MEDIA_ROOT, and how stored files are written and deleted.

The one module that knows the layout; everything else asks it for paths (docs/storage.md).

    uploads/<upload id>.part        a tus upload still receiving bytes
    videos/<folder>/original.<ext>  the original as received, kept as evidence; <folder> is
                                    the upload id, or random for files imported from disk
    videos/<folder>/audio.wav, playable.mp4, poster.jpg, transcript.vtt   derived files
    papers/<version id>/<name>      paper report files, named by the server
    cache/papers/<paper file id>/   page images rendered from a paper file (no watermark),
                                    pages.json; removed with the file, rebuilt on demand
    exports/<job id>.<kind>         committee exports built by jobs

Rows store paths relative to MEDIA_ROOT (POSIX separators), so the tree can move, and a
front server's `internal` location aliased to MEDIA_ROOT can send any stored file.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, overload
from urllib.parse import quote

from flask import current_app

if TYPE_CHECKING:
    from review.models import PaperFile, Video

VIDEO_FILES = ("audio.wav", "playable.mp4", "poster.jpg", "transcript.vtt")


def root() -> Path:
    """Return MEDIA_ROOT."""
    return Path(current_app.config["MEDIA_ROOT"])


@overload
def path(relative: str) -> Path: ...
@overload
def path(relative: None) -> None: ...
@overload
def path(relative: str | None) -> Path | None: ...


def path(relative: str | None) -> Path | None:
    """Return the absolute path of a stored file (None stays None)."""
    return None if relative is None else root() / relative


def relative(absolute: Path) -> str:
    """Return the path under MEDIA_ROOT that a row stores for absolute."""
    return Path(absolute).relative_to(root()).as_posix()


def resolve(relative: str | None) -> Path | None:
    """Return the stored file's real path, or None when it is missing or outside MEDIA_ROOT."""
    if not relative:
        return None
    top = root().resolve()
    found = (top / relative).resolve()
    if not found.is_relative_to(top) or not found.is_file():
        return None
    return found


def upload_partial(upload_id: str) -> Path:
    """Return the partial file of a tus upload."""
    return root() / "uploads" / f"{upload_id}.part"


def video_folder(name: str) -> Path:
    """Return the folder of one video's original and derived files."""
    return root() / "videos" / name


def new_video_folder() -> Path:
    """Create and return a fresh video folder with a random name (imports from disk)."""
    folder = video_folder(secrets.token_hex(8))
    folder.mkdir(parents=True)
    return folder


def video_file(video: Video, name: str) -> Path:
    """Return where a derived file (one of VIDEO_FILES) of video lives, beside its original."""
    if name not in VIDEO_FILES:
        raise ValueError(f"unknown video file {name!r}")
    return root() / Path(video.original_path).parent / name


def paper_folder(version_id: int) -> Path:
    """Return the folder of a submission version's paper files."""
    return root() / "papers" / str(version_id)


def paper_path(paper_file: PaperFile) -> Path:
    """Return the absolute path of a stored paper file."""
    return root() / paper_file.path


def page_cache_folder(paper_file_id: int) -> Path:
    """Return the folder of a paper file's cached page images (services/paper_pages.py)."""
    return root() / "cache" / "papers" / str(paper_file_id)


def export_file(job_id: str, kind: str) -> Path:
    """Return where the export job job_id writes its file (the folder is created)."""
    folder = root() / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{job_id}.{kind}"


def download_file(name: str, kind: str) -> Path:
    """Return where a download built on request (assessment sheet, API export) is kept.

    It is rebuilt on every request and replaced atomically, so a front server sending the
    previous copy (X-Accel) keeps its open file; one name per subject keeps the folder bounded.
    """
    folder = root() / "exports" / "downloads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.{kind}"


def write_bytes(target: Path, data: bytes) -> None:
    """Write data to target durably: a temporary file, fsync, then an atomic rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    # A name of its own: two requests may render the same cached page at once.
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    with open(tmp, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, target)


def move_into_place(source: Path, target: Path) -> None:
    """Move source onto target atomically and make the data and the rename durable."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as fh:
        os.fsync(fh.fileno())
    os.replace(source, target)
    fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def accel_path(stored: Path, prefix: str) -> str:
    """Return the X-Accel-Redirect URI of a stored file under the front server's prefix."""
    under = Path(stored).resolve().relative_to(root().resolve()).as_posix()
    return f"{prefix.rstrip('/')}/{quote(under)}"


def free_bytes() -> int:
    """Return the bytes free on the filesystem that holds MEDIA_ROOT."""
    return shutil.disk_usage(root()).free


def delete(stored: Path) -> None:
    """Delete a stored file; a file already gone is not an error."""
    Path(stored).unlink(missing_ok=True)


def delete_tree(folder: Path) -> None:
    """Delete a folder of derived files (a page cache); one already gone is not an error."""
    shutil.rmtree(folder, ignore_errors=True)
