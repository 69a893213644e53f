"""Speech recognition engines behind one Transcriber interface."""

from .base import (
    DOMAIN_PROMPT_ZH,
    HALLUCINATIONS,
    RawSegment,
    Segment,
    Transcriber,
    Transcript,
    clean_text,
    collapse_repeats,
    is_hallucination,
    postprocess,
)
from .faster import FasterWhisperTranscriber
from .openai import OpenAIWhisperTranscriber, load_audio
from .registry import clear_cache, get_transcriber

__all__ = [
    "DOMAIN_PROMPT_ZH",
    "HALLUCINATIONS",
    "FasterWhisperTranscriber",
    "OpenAIWhisperTranscriber",
    "RawSegment",
    "Segment",
    "Transcriber",
    "Transcript",
    "clean_text",
    "clear_cache",
    "collapse_repeats",
    "get_transcriber",
    "is_hallucination",
    "load_audio",
    "postprocess",
]
