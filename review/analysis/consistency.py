"""Paper/video consistency: how much of the spoken report is in the paper report and back.

Both texts are compared by sound (4-syllable pinyin shingles, oath excluded), so the
recogniser's homophones do not hide a reading. The verdict is a hint:
- `reading` (照读): at least READING of the video's shingles occur in the paper;
- `summary` (概述): at least SUMMARY of them do (same content, partly in other words);
- `different` (内容不同): less than SUMMARY.
Texts shorter than MIN_CHARS content characters are `not_comparable`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from review.analysis.similarity import Text, containment, passages
from review.analysis.text import Normalised, timed_transcript

READING = 0.6
SUMMARY = 0.2
MIN_CHARS = 20


def compare(paper: str, segments: Iterable, *, limit: int = 10) -> dict:
    """Compare a paper report with a transcript (segments with start, end, text)."""
    timed = timed_transcript(segments)
    video = Text(timed.chars, Normalised(timed.chars, tuple(range(len(timed.chars)))))
    written = Text.of(paper)
    result: dict[str, Any] = {
        "verdict": "not_comparable",
        "video_in_paper": None,
        "paper_in_video": None,
        "thresholds": {"reading": READING, "summary": SUMMARY},
        "passages": [],
    }
    if len(video.norm.chars) < MIN_CHARS or len(written.norm.chars) < MIN_CHARS:
        return result
    video_in_paper = containment(video.shingles, written.shingles)
    paper_in_video = containment(written.shingles, video.shingles)
    verdict = (
        "reading"
        if video_in_paper >= READING
        else "summary"
        if video_in_paper >= SUMMARY
        else "different"
    )
    shown = []
    for a_first, a_last, b_first, b_last in passages(written, video, min_len=6, limit=limit):
        start, end = timed.span(b_first, b_last)
        shown.append(
            {
                "paper": written.excerpt(a_first, a_last),
                "video": video.excerpt(b_first, b_last),
                "start": start,
                "end": end,
            }
        )
    result.update(
        verdict=verdict,
        video_in_paper=round(video_in_paper, 3),
        paper_in_video=round(paper_in_video, 3),
        passages=shown,
    )
    return result
