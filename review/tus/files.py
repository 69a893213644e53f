"""Partial-file storage for tus uploads: append a stream at an offset, hash, sniff, name."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from werkzeug.exceptions import ClientDisconnected

READ_SIZE = 1024 * 1024  # bytes read from the request per step: memory stays constant


class ShortFileError(Exception):
    """The partial file holds fewer bytes than the recorded offset (it was lost or cut)."""

    def __init__(self, size: int) -> None:
        super().__init__(f"partial file has only {size} bytes")
        self.size = size


@dataclass
class Received:
    """What one request body delivered into the partial file."""

    written: int  # bytes now stored after the start offset (fsynced)
    disconnected: bool  # the body ended early: the client went away mid-request
    overflow: bool  # the body was longer than allowed; nothing past the limit was written


class BusyError(Exception):
    """Another process holds the partial file (a second writer got past the Redis lock)."""


def _read(stream: IO[bytes], size: int) -> bytes | None:
    """Read up to size bytes; None when the client disconnected."""
    try:
        return stream.read(size)
    except (ClientDisconnected, OSError):
        return None


class PartialFile:
    """An open, exclusively locked partial file positioned at the recorded offset."""

    def __init__(self, out: IO[bytes], offset: int) -> None:
        self._out, self.offset = out, offset

    def receive(
        self,
        stream: IO[bytes],
        limit: int,
        *,
        hasher: Any = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> Received:
        """Append stream (at most limit bytes) and fsync.

        Reading stops at the end of the stream, on a disconnect, or one byte past limit.

        Raises:
            OSError: the disk refused the write (call cut()).
        """
        out, written, disconnected, overflow = self._out, 0, False, False
        while True:
            block = _read(stream, min(READ_SIZE, limit - written + 1))
            if block is None:
                disconnected = True
                break
            if not block:
                break
            if written + len(block) > limit:
                block, overflow = block[: limit - written], True
            out.write(block)
            if hasher is not None:
                hasher.update(block)
            written += len(block)
            if overflow:
                break
            if on_progress is not None:
                on_progress(written)
        out.flush()
        os.fsync(out.fileno())
        return Received(written=written, disconnected=disconnected, overflow=overflow)

    def cut(self) -> None:
        """Discard everything after the start offset (a rejected chunk)."""
        self._out.seek(self.offset)
        self._out.truncate(self.offset)
        self._out.flush()
        os.fsync(self._out.fileno())


@contextlib.contextmanager
def open_partial(path: Path, offset: int) -> Iterator[PartialFile]:
    """Open path for appending at offset, holding an exclusive flock until the block ends.

    The file is cut to offset first, so bytes left by an earlier interrupted request never
    survive. The flock backs up the Redis lock on one host: if Redis lost the lock, a second
    writer still cannot interleave.

    Raises:
        BusyError: another writer holds the file.
        ShortFileError: the file is shorter than offset.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    with os.fdopen(fd, "r+b") as out:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BusyError(str(path)) from None
        size = os.fstat(fd).st_size
        if size < offset:
            raise ShortFileError(size)
        out.truncate(offset)
        out.seek(offset)
        yield PartialFile(out, offset)


def display_name(name: str | None) -> str:
    """Return a client file name fit for display only: last path part, no control chars."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in {"Cc", "Cf", "Cs"})
    return name.strip()[:255]


def sha256_of(path: Path) -> str:
    """Return the hex sha256 of a file, read in constant memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        for block in iter(lambda: source.read(READ_SIZE), b""):
            digest.update(block)
    return digest.hexdigest()


def sniff_extension(path: Path) -> str:
    """Choose a file extension from the file's first bytes (never from the client's name)."""
    with open(path, "rb") as source:
        head = source.read(64)
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand == b"qt  ":
            return ".mov"
        if brand.startswith(b"3g"):
            return ".3gp"
        return ".mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return ".webm" if b"webm" in head else ".mkv"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return ".avi"
    return ".bin"
