"""The configured Whisper engine, loaded once per process."""

from __future__ import annotations

from typing import Any

from flask import current_app

from media.asr import Transcriber


def get_engine() -> Transcriber:
    """Return the Transcriber configured by WHISPER_ENGINE/WHISPER_MODEL (cached per process)."""
    from media.models import resolve_model
    from media.transcribe import get_transcriber

    cfg = current_app.config
    engine = cfg["WHISPER_ENGINE"]
    model = cfg["WHISPER_MODEL"]
    if engine == "faster-whisper":
        model = str(resolve_model(model, cfg["MODEL_CACHE"]))
    elif engine == "openai-whisper" and not model:
        from media.convert import bundled_checkpoint

        model = str(bundled_checkpoint(cfg["MODEL_CACHE"]))  # converted once, then reused
    options: dict[str, Any] = {"device": cfg["WHISPER_DEVICE"]}
    if cfg.get("WHISPER_COMPUTE_TYPE") and engine == "faster-whisper":
        options["compute_type"] = cfg["WHISPER_COMPUTE_TYPE"]
    if cfg.get("WHISPER_THREADS"):  # both engines: one worker per core wants 1 thread each
        options["cpu_threads"] = cfg["WHISPER_THREADS"]
    return get_transcriber(engine, model, **options)
