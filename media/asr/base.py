"""Transcript data types, the Transcriber interface and shared post-processing."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from ..text import normalize_for_cer, to_simplified

# Phrases Whisper invents over silence or music (subtitle credits from its training data).
# `True` means always drop a segment containing it; `False` only when the model also
# thought the segment was probably not speech.
HALLUCINATIONS: tuple[tuple[str, bool], ...] = (
    ("请不吝点赞 订阅 转发 打赏支持明镜与点点栏目", True),
    ("明镜需要您的支持", True),
    ("点赞 订阅 转发 打赏", True),
    ("字幕由Amara.org社区提供", True),
    ("优优独播剧场——YoYo Television Series Exclusive", True),
    ("中文字幕志愿者 李宗盛", True),
    ("字幕志愿者", True),
    ("小编字幕", True),
    ("字幕by索兰娅", True),
    ("请订阅我的频道", True),
    ("谢谢观看", False),
    ("感谢观看", False),
    ("谢谢收看", False),
    ("下期再见", False),
)
# Default initial prompt: a glossary of Party vocabulary that thought reports use all the time.
# It names terms, not sentences, so it steers Whisper's homophone choices (纲领 not 刚领,
# 义务 not 应务, 忠诚 not 终成) without putting whole oath phrases in its mouth.
DOMAIN_PROMPT_ZH = (
    "以下是入党积极分子的普通话思想汇报，常用词：中国共产党、入党志愿、党的纲领、党的章程、"
    "党员义务、组织纪律、对党忠诚、艰苦奋斗、共产主义。"
)
NO_SPEECH_THRESHOLD = 0.5
MIN_PARTIAL_MATCH = 4  # a fragment of a known phrase must be this long to count
_REPEAT_RE = re.compile(r"(.{1,10}?)\1{3,}", re.S)
_END_PUNCT = "。！？，、；：…!?,.;:"


@dataclass(frozen=True)
class Segment:
    """A timed piece of transcript text (seconds)."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class RawSegment:
    """A segment as an engine produced it, before clean-up."""

    start: float
    end: float
    text: str
    no_speech_prob: float = 0.0


@dataclass(frozen=True)
class Transcript:
    """A whole transcription result."""

    segments: list[Segment] = field(default_factory=list)
    language: str = "zh"
    duration: float = 0.0
    engine: str = ""
    model: str = ""

    @property
    def text(self) -> str:
        """Return the segments joined into one string."""
        out = ""
        for seg in self.segments:
            if out and out[-1] not in _END_PUNCT:
                out += " "
            out += seg.text
        return out


@runtime_checkable
class Transcriber(Protocol):
    """Anything that turns an audio file into a Transcript."""

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
        """Transcribe one audio file; on_progress gets the fraction of audio done (0..1).

        hotwords: terms to steer the decoder towards (faster-whisper; openai-whisper adds them
        to the prompt).
        """
        ...


def _norm(text: str) -> str:
    """Normalise for hallucination matching."""
    return normalize_for_cer(text)


_NORMALISED = tuple((_norm(phrase), always) for phrase, always in HALLUCINATIONS)


def is_hallucination(text: str, no_speech_prob: float = 0.0) -> bool:
    """Return True when `text` is a known Whisper silence hallucination."""
    norm = _norm(text)
    if not norm:
        return False
    for phrase, always in _NORMALISED:
        partial = len(norm) >= MIN_PARTIAL_MATCH and norm in phrase
        matched = phrase in norm or partial
        if matched and (always or no_speech_prob >= NO_SPEECH_THRESHOLD):
            return True
    return False


def collapse_repeats(text: str) -> str:
    """Collapse a short phrase repeated four or more times in a row into one occurrence."""

    def keep_one(m: re.Match[str]) -> str:
        unit = m.group(1)
        return m.group(0) if unit.strip().isdigit() else unit

    return _REPEAT_RE.sub(keep_one, text)


def clean_text(text: str) -> str:
    """Convert to Simplified, drop broken characters, collapse repeats and trim whitespace."""
    # Whisper's byte-level tokens can end a segment in the middle of a UTF-8 character;
    # the decoder then yields U+FFFD, which must not reach reviewers or the oath check.
    text = text.replace("\ufffd", "")
    return collapse_repeats(to_simplified(text).strip()).strip()


def postprocess(raw: Iterable[RawSegment]) -> list[Segment]:
    """Clean engine output: Simplified text, no empty or hallucinated segments, no loops."""
    out: list[Segment] = []
    for seg in raw:
        text = clean_text(seg.text)
        if not text or not _norm(text) or is_hallucination(text, seg.no_speech_prob):
            continue
        out.append(Segment(start=float(seg.start), end=float(seg.end), text=text))
    return out
