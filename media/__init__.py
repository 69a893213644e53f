"""Huibao media layer: probe, transcode and transcribe uploads (no Flask, no database)."""

from .asr import FasterWhisperTranscriber, OpenAIWhisperTranscriber, get_transcriber
from .asr.base import Segment, Transcriber, Transcript
from .errors import MediaError
from .ffmpeg_bin import ffmpeg_exe, run_ffmpeg
from .models import bundled_model_dir, resolve_model
from .probe import ProbeResult, probe
from .text import cer, normalize_for_cer, to_simplified
from .transcode import TranscodeResult, extract_audio, make_poster, transcode
from .vtt import parse_vtt, write_vtt

__all__ = [
    "FasterWhisperTranscriber",
    "MediaError",
    "OpenAIWhisperTranscriber",
    "ProbeResult",
    "Segment",
    "TranscodeResult",
    "Transcriber",
    "Transcript",
    "bundled_model_dir",
    "cer",
    "extract_audio",
    "ffmpeg_exe",
    "get_transcriber",
    "make_poster",
    "normalize_for_cer",
    "parse_vtt",
    "probe",
    "resolve_model",
    "run_ffmpeg",
    "to_simplified",
    "transcode",
    "write_vtt",
]
