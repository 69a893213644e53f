"""Pick an engine by name and keep one loaded instance per process."""

from __future__ import annotations

import threading
from typing import Any

from ..errors import MediaError
from ..models import resolve_model
from .base import Transcriber

ENGINES = {
    "faster-whisper": "faster",
    "faster_whisper": "faster",
    "openai-whisper": "openai",
    "openai_whisper": "openai",
    "openai": "openai",
    "whisper": "openai",
}
_cache: dict[tuple[str, str | None, tuple[tuple[str, Any], ...]], Transcriber] = {}
_lock = threading.Lock()


def get_transcriber(
    engine: str = "faster-whisper", model: str | None = None, **opts: Any
) -> Transcriber:
    """Return the process-wide transcriber for (engine, model, opts), loading it on first use.

    For faster-whisper, `model` is None/"base"/"bundled" or a local CTranslate2 directory and
    `cache_dir` says where the bundled model is assembled. For openai-whisper it is a local
    checkpoint path.
    """
    kind = ENGINES.get(engine)
    if kind is None:
        raise ValueError(f"unknown transcription engine {engine!r}")
    key = (kind, model, tuple(sorted(opts.items())))
    with _lock:
        if key not in _cache:
            _cache[key] = _build(kind, model, dict(opts))
        return _cache[key]


def clear_cache() -> None:
    """Forget loaded transcribers (tests, or to free memory)."""
    with _lock:
        _cache.clear()


def _build(kind: str, model: str | None, opts: dict[str, Any]) -> Transcriber:
    """Construct an engine instance.

    Both returns are checked against the Transcriber protocol by mypy (`make lint`): an engine
    whose transcribe() signature drifts from it fails the build.
    """
    cache_dir = opts.pop("cache_dir", None)
    if kind == "faster":
        from .faster import FasterWhisperTranscriber

        return FasterWhisperTranscriber(resolve_model(model, cache_dir), **opts)
    from .openai import OpenAIWhisperTranscriber

    if not model:
        raise MediaError("model_missing", "openai-whisper needs a local checkpoint path")
    return OpenAIWhisperTranscriber(model, **opts)
