"""Engine fixtures: the bundled CTranslate2 model and its openai-whisper checkpoint, per session."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from media.models import bundled_model_dir
from tests.fixtures.tools import in_ci

if in_ci() and importlib.util.find_spec("whisper") is None:  # CI must run these, not skip them
    raise RuntimeError("CI=true and openai-whisper is missing: run `make test-engines`")

DATA = Path(__file__).resolve().parent.parent / "data"


def reference(name: str) -> str:
    """Return the reference transcript of a clip in tests/data."""
    rows = (DATA / "texts.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return dict(row.split("\t", 1) for row in rows)[name]


@pytest.fixture(scope="session")
def model_cache() -> Path:
    """The model cache the app fixtures use too, so the bundled model is assembled once."""
    return Path(os.environ.get("HUIBAO_TEST_MODEL_CACHE", Path.home() / ".cache" / "huibao-models"))


@pytest.fixture(scope="session")
def ct2_dir(model_cache) -> Path:
    """The bundled CTranslate2 whisper-base directory."""
    return bundled_model_dir(model_cache)


@pytest.fixture(scope="session")
def checkpoint(ct2_dir, tmp_path_factory) -> Path:
    """The bundled model converted by this session's converter (never a cached old file)."""
    pytest.importorskip("whisper")
    from media.convert import convert

    return convert(ct2_dir, tmp_path_factory.mktemp("ckpt") / "whisper-base.pt").path


@pytest.fixture(scope="session")
def oath_audio():
    """oath.flac as 16 kHz float32 samples."""
    from media.asr.openai import load_audio

    return load_audio(DATA / "oath.flac")
