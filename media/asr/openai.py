"""Optional engine: the original openai-whisper package (extra `openai-whisper`)."""

from __future__ import annotations

import os
import pickle
import tempfile
import threading
import types
import warnings
import wave
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import MediaError
from ..progress import ProgressFn
from .base import RawSegment, Transcript, postprocess

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Audio = npt.NDArray[np.float32]

ENGINE = "openai-whisper"
SAMPLE_RATE = 16000
_progress_lock = threading.Lock()  # the progress hook is module-wide in openai-whisper


class TimeMap(Protocol):
    """Map a time in the speech-only audio back to the original recording."""

    def __call__(self, t: float, is_end: bool = False) -> float: ...


def _same_time(t: float, is_end: bool = False) -> float:
    return t


def load_audio(path: os.PathLike[str] | str) -> Audio:
    """Return the audio as a float32 numpy array at 16 kHz mono (ffmpeg need not be on PATH)."""
    import numpy as np

    from ..transcode import extract_audio

    with tempfile.TemporaryDirectory(prefix="huibao-audio-") as tmp:
        wav_path = Path(tmp) / "audio.wav"
        extract_audio(path, wav_path)
        with wave.open(str(wav_path), "rb") as wav:
            frames = wav.readframes(wav.getnframes())
    return np.frombuffer(frames, dtype=np.int16).astype(np.float32) / 32768.0


def speech_only(audio: Audio) -> tuple[Audio, TimeMap]:
    """Keep only the speech in `audio` (faster-whisper's Silero VAD, same defaults as there).

    Returns the concatenated speech and a function mapping its times back to the original.
    """
    import numpy as np
    from faster_whisper.vad import (
        SpeechTimestampsMap,
        VadOptions,
        collect_chunks,
        get_speech_timestamps,
    )

    chunks = get_speech_timestamps(audio, VadOptions())
    if not chunks:
        return np.zeros(0, dtype=np.float32), _same_time
    pieces, _ = collect_chunks(audio, chunks)
    ts_map = SpeechTimestampsMap(chunks, SAMPLE_RATE)

    def to_original(t: float, is_end: bool = False) -> float:
        return float(ts_map.get_original_time(t, is_end=is_end))

    return np.concatenate(pieces), to_original


@contextmanager
def _window_progress(on_progress: ProgressFn | None) -> Iterator[None]:
    """Report progress after each 30 s window that openai-whisper decodes.

    openai-whisper has no progress callback; its only progress signal is the tqdm bar it
    updates once per window. For the duration of one call this swaps the `tqdm` module that
    `whisper.transcribe` sees for one whose (silent) bar forwards each update to `on_progress`.
    """
    if on_progress is None:
        yield
        return
    import importlib

    import tqdm

    # The module, not the function: the package's `whisper.transcribe` attribute is the latter.
    whisper_transcribe: Any = importlib.import_module("whisper.transcribe")
    report = on_progress

    class WindowBar(tqdm.tqdm):  # type: ignore[type-arg]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["disable"] = True  # no bar on stderr; update() below still sees each window
            super().__init__(*args, **kwargs)
            self.frames_done = 0

        def update(self, n: float | None = 1) -> bool | None:
            self.frames_done += int(n or 0)
            if self.total:
                report(min(self.frames_done / self.total, 0.99))
            return None

    with _progress_lock:
        original = whisper_transcribe.tqdm
        whisper_transcribe.tqdm = types.SimpleNamespace(tqdm=WindowBar)
        try:
            yield
        finally:
            whisper_transcribe.tqdm = original


def _load_tokenizer(model: Any) -> None:
    """Read the tokenizer's bundled vocabulary now (cached), without its unclosed-file warning."""
    from whisper.tokenizer import get_tokenizer

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # openai-whisper never closes the file
        get_tokenizer(model.is_multilingual, num_languages=model.num_languages)


class OpenAIWhisperTranscriber:
    """Transcribe with openai-whisper from a local checkpoint (.pt); never downloads."""

    def __init__(
        self, checkpoint_path: os.PathLike[str] | str, device: str = "auto", cpu_threads: int = 0
    ) -> None:
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
        if cpu_threads > 0:  # process-wide in torch, like CTranslate2's intra_threads per model
            import torch

            torch.set_num_threads(cpu_threads)
        try:
            # A file path makes load_model read it instead of downloading a named model.
            self._model = whisper.load_model(str(self.checkpoint_path), device=device)
        except (
            RuntimeError,
            OSError,
            EOFError,
            KeyError,
            TypeError,
            ValueError,
            pickle.UnpicklingError,
        ) as exc:
            raise MediaError("model_missing", f"cannot load {self.checkpoint_path}: {exc}") from exc
        _load_tokenizer(self._model)

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
        """Transcribe one audio file; `vad` drops silence first, as faster-whisper does.

        `on_progress` gets the fraction of the (speech) audio done after each 30 s window.
        """
        audio = load_audio(audio_path)
        duration = len(audio) / SAMPLE_RATE
        speech, to_original = speech_only(audio) if vad else (audio, _same_time)
        if len(speech) == 0:
            return Transcript([], language, duration, ENGINE, self.checkpoint_path.name)
        try:
            with _window_progress(on_progress):
                result = self._model.transcribe(
                    speech,
                    language=language,
                    initial_prompt=_with_hotwords(initial_prompt, hotwords),
                    beam_size=beam_size if beam_size > 1 else None,
                    temperature=0,
                    condition_on_previous_text=False,
                    fp16=self.device == "cuda",
                    # False, not None: whisper then updates its (here silent) bar per window
                    verbose=None if on_progress is None else False,
                )
        except Exception as exc:  # torch raises assorted types
            raise MediaError(
                "transcribe_failed", f"{type(exc).__name__}: {exc}", retryable=True
            ) from exc
        raw = [
            RawSegment(
                to_original(s["start"]),
                to_original(s["end"], is_end=True),
                s["text"],
                s.get("no_speech_prob", 0.0),
            )
            for s in result.get("segments", [])
        ]
        return Transcript(
            segments=postprocess(raw),
            language=language,
            duration=duration,
            engine=ENGINE,
            model=self.checkpoint_path.name,
        )


def _with_hotwords(prompt: str | None, hotwords: str | None) -> str | None:
    """openai-whisper has no hot-words: put them before the prompt instead."""
    if not hotwords:
        return prompt
    return f"{hotwords}。{prompt}" if prompt else hotwords
