"""Optional engine: the original openai-whisper package (extra `openai-whisper`)."""

from __future__ import annotations

import os
import tempfile
import wave
from pathlib import Path

from ..errors import MediaError
from .base import RawSegment, Transcript, postprocess

ENGINE = "openai-whisper"
SAMPLE_RATE = 16000


def load_audio(path: os.PathLike | str):
    """Return the audio as a float32 numpy array at 16 kHz mono (ffmpeg need not be on PATH)."""
    import numpy as np

    from ..transcode import extract_audio

    with tempfile.TemporaryDirectory(prefix="huibao-audio-") as tmp:
        wav_path = Path(tmp) / "audio.wav"
        extract_audio(path, wav_path)
        with wave.open(str(wav_path), "rb") as wav:
            frames = wav.readframes(wav.getnframes())
    return np.frombuffer(frames, dtype=np.int16).astype(np.float32) / 32768.0


class OpenAIWhisperTranscriber:
    """Transcribe with openai-whisper from a local checkpoint (.pt); never downloads."""

    def __init__(self, checkpoint_path: os.PathLike | str, device: str = "auto") -> None:
        try:
            import whisper
        except ImportError as exc:
            raise MediaError(
                "model_missing",
                "openai-whisper is not installed (pip install 'huibao[openai-whisper]')",
            ) from exc
        self.checkpoint_path = Path(checkpoint_path)
        if not self.checkpoint_path.is_file():
            raise MediaError("model_missing", f"checkpoint {self.checkpoint_path} does not exist")
        if device == "auto":
            import torch

            device = "cuda" if torch.cuda.is_available() else "cpu"
        self.device = device
        try:
            # A file path makes load_model read it instead of downloading a named model.
            self._model = whisper.load_model(str(self.checkpoint_path), device=device)
        except (RuntimeError, OSError) as exc:
            raise MediaError("model_missing", f"cannot load {self.checkpoint_path}: {exc}") from exc

    def transcribe(
        self,
        audio_path: os.PathLike | str,
        *,
        language: str = "zh",
        initial_prompt: str | None = None,
        vad: bool = True,
        beam_size: int = 1,
    ) -> Transcript:
        """Transcribe one audio file; `vad` is ignored because openai-whisper has none."""
        audio = load_audio(audio_path)
        try:
            result = self._model.transcribe(
                audio,
                language=language,
                initial_prompt=initial_prompt,
                beam_size=beam_size if beam_size > 1 else None,
                temperature=0,
                condition_on_previous_text=False,
                fp16=self.device == "cuda",
                verbose=None,
            )
        except Exception as exc:  # torch raises assorted types
            raise MediaError(
                "transcribe_failed", f"{type(exc).__name__}: {exc}", retryable=True
            ) from exc
        raw = [
            RawSegment(s["start"], s["end"], s["text"], s.get("no_speech_prob", 0.0))
            for s in result.get("segments", [])
        ]
        return Transcript(
            segments=postprocess(raw),
            language=language,
            duration=len(audio) / SAMPLE_RATE,
            engine=ENGINE,
            model=self.checkpoint_path.name,
        )
