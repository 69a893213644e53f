"""Bundled model assembly: verified, idempotent, safe under concurrency, never downloads."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest

from media import MediaError, bundled_model_dir, resolve_model
from media.models import MODEL_PARTS, packaged_files


def _sha256(paths):
    """Hash files as if concatenated."""
    digest = hashlib.sha256()
    for path in paths:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


def test_parts_are_listed_with_checksums():
    files = packaged_files()
    for name in (*MODEL_PARTS, "config.json", "tokenizer.json", "vocabulary.txt"):
        assert files[name].path.is_file()
        assert files[name].sha256 and files[name].size


def test_assembly_is_complete_and_idempotent(tmp_path):
    model_dir = bundled_model_dir(tmp_path)
    assert model_dir == tmp_path / "whisper-base"
    names = {p.name for p in model_dir.iterdir() if not p.name.startswith(".")}
    assert names == {"model.bin", "config.json", "tokenizer.json", "vocabulary.txt"}
    files = packaged_files()
    assert _sha256([model_dir / "model.bin"]) == _sha256([files[n].path for n in MODEL_PARTS])
    stamp = (model_dir / "model.bin").stat()
    assert bundled_model_dir(tmp_path) == model_dir
    again = (model_dir / "model.bin").stat()
    assert (again.st_ino, again.st_mtime_ns) == (stamp.st_ino, stamp.st_mtime_ns)
    assert not [p for p in tmp_path.rglob("*.part")]


def test_damaged_assembly_is_rebuilt(tmp_path):
    model_dir = bundled_model_dir(tmp_path)
    with open(model_dir / "model.bin", "r+b") as fh:
        fh.truncate(1000)
    (model_dir / "tokenizer.json").unlink()
    bundled_model_dir(tmp_path)
    expected = sum(packaged_files()[n].size for n in MODEL_PARTS)
    assert (model_dir / "model.bin").stat().st_size == expected
    assert (model_dir / "tokenizer.json").is_file()


def test_concurrent_assembly(tmp_path):
    code = "import sys; from media import bundled_model_dir; print(bundled_model_dir(sys.argv[1]))"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(tmp_path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), results
    assert {out.strip() for out, _err in results} == {str(tmp_path / "whisper-base")}
    files = packaged_files()
    assert _sha256([tmp_path / "whisper-base" / "model.bin"]) == _sha256(
        [files[n].path for n in MODEL_PARTS]
    )


@pytest.mark.parametrize("name", [None, "base", "bundled"])
def test_resolve_bundled_aliases(tmp_path, name):
    assert resolve_model(name, tmp_path) == tmp_path / "whisper-base"


def test_resolve_local_dir(tmp_path):
    assert resolve_model(str(tmp_path), tmp_path / "cache") == tmp_path


def test_resolve_missing_never_downloads(tmp_path):
    with pytest.raises(MediaError) as info:
        resolve_model("large-v3", tmp_path)
    assert info.value.code == "model_missing"
    assert not (tmp_path / "whisper-base").exists()
