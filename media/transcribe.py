"""Stable import path for transcription; the engines live in media.asr."""

from .asr import (
    HALLUCINATIONS,
    FasterWhisperTranscriber,
    OpenAIWhisperTranscriber,
    RawSegment,
    Segment,
    Transcriber,
    Transcript,
    clean_text,
    clear_cache,
    collapse_repeats,
    get_transcriber,
    is_hallucination,
    postprocess,
)

__all__ = [
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
    "postprocess",
]
