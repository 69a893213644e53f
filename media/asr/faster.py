"""The default engine: faster-whisper (CTranslate2) with a local model directory."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from ..errors import MediaError
from .base import RawSegment, Transcript, postprocess

ENGINE = "faster-whisper"


def resolve_device(device: str) -> str:
    """Turn "auto" into "cuda" when CTranslate2 sees a GPU, else "cpu"."""
    if device != "auto":
        return device
    import ctranslate2

    return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"


class FasterWhisperTranscriber:
    """Transcribe with faster-whisper; the model is loaded once, in the constructor."""

    def __init__(
        self,
        model_dir: os.PathLike[str] | str,
        device: str = "auto",
        compute_type: str | None = None,
        cpu_threads: int = 0,
    ) -> None:
        self.model_dir = Path(model_dir)
        if not (self.model_dir / "model.bin").is_file():
            raise MediaError("model_missing", f"no model.bin in {self.model_dir}")
        self.device = resolve_device(device)
        self.compute_type = compute_type or ("float16" if self.device == "cuda" else "int8")
        from faster_whisper import WhisperModel

        try:
            self._model = WhisperModel(
                str(self.model_dir),
                device=self.device,
                compute_type=self.compute_type,
                cpu_threads=cpu_threads,
                local_files_only=True,
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise MediaError("model_missing", f"cannot load {self.model_dir}: {exc}") from exc

    def transcribe(
        self,
        audio_path: os.PathLike[str] | str,
        *,
        language: str = "zh",
        initial_prompt: str | None = None,
        hotwords: str | None = None,
        vad: bool = True,
        beam_size: int = 1,
        on_progress: Callable[[float], None] | None = None,
    ) -> Transcript:
        """Transcribe one audio file (16 kHz mono WAV is fastest; anything PyAV reads works)."""
        try:
            segments, info = self._model.transcribe(
                os.fspath(audio_path),
                language=language,
                initial_prompt=initial_prompt,
                hotwords=hotwords,
                vad_filter=vad,
                beam_size=beam_size,
                temperature=0.0,
                condition_on_previous_text=False,
            )
            raw = []
            for s in segments:  # a generator: decoding happens as we iterate
                raw.append(RawSegment(s.start, s.end, s.text, s.no_speech_prob))
                if on_progress is not None and info.duration:
                    on_progress(min(s.end / info.duration, 0.99))
        except Exception as exc:  # PyAV, CTranslate2 and onnxruntime raise assorted types
            raise MediaError(
                "transcribe_failed", f"{type(exc).__name__}: {exc}", retryable=True
            ) from exc
        return Transcript(
            segments=postprocess(raw),
            language=language,
            duration=float(info.duration),
            engine=ENGINE,
            model=self.model_dir.name,
        )
