"""bench/engines.py: the settings matrix and the generated 3-minute clip."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from media.asr.openai import load_audio

BENCH = Path(__file__).resolve().parents[2] / "bench" / "engines.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_engines", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def test_settings_matrix(bench):
    full = bench.settings(quick=False, device="cpu")
    assert len(full) == 12 and len(set(full)) == 12
    assert {(s.engine, s.compute) for s in full} == {
        ("faster-whisper", "int8"),
        ("faster-whisper", "float32"),
        ("openai-whisper", "float32"),
    }
    assert {s.beam for s in full} == {1, 5} and {s.vad for s in full} == {True, False}
    assert len(bench.settings(quick=True, device="cpu")) == 3
    gpu = bench.settings(quick=False, device="cuda")
    assert {s.compute for s in gpu} == {"float16", "int8_float16"}
    assert {s.compute for s in gpu if s.engine == "openai-whisper"} == {"float16"}


def test_long_clip_is_three_minutes(bench, tmp_path):
    clips = bench.clip_set(quick=False, workdir=tmp_path)
    assert [c["name"] for c in clips] == [*bench.CLIPS, "long_3min.flac"]
    long = clips[-1]
    seconds = len(load_audio(long["path"])) / 16000
    parts = sum(len(load_audio(c["path"])) for c in clips[:3]) / 16000
    assert seconds == pytest.approx(3 * (parts + 3 * bench.LONG_GAP_S), abs=0.5)
    assert 180 <= seconds <= 200
    assert long["reference"].count("我志愿加入中国共产党") == 6  # oath + partial oath, three times
