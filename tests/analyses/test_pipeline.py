"""End to end: real clips through the pipeline (real ffmpeg and Whisper), then the analyses."""

from __future__ import annotations

import pytest

from review.extensions import db
from review.models import SubmissionVersion
from review.services import search
from tests.analyses.conftest import submit
from tests.analyses.texts import REPORT
from tests.fixtures.pipeline import reload_video, run_jobs, submission_of

SPEECH_FLAGS = {"no_speech", "low_volume", "long_silence"}


@pytest.mark.slow
def test_oath_and_report_clips(app, people, ingest, oath_clip, report_clip, client, token_for):
    oath_video, report_video = ingest(oath_clip, "activist"), ingest(report_clip, "activist_b")
    oath_sub, report_sub = submission_of(oath_video), submission_of(report_video)
    report_sub.current.paper_text = REPORT
    db.session.commit()
    submit(oath_sub.current.id)
    submit(report_sub.current.id)
    run_jobs(app)  # probe, transcode, transcribe, then the analysis job the pipeline queues

    for video_id in (oath_video, report_video):
        video = reload_video(video_id)
        assert video.state == "ready" and not SPEECH_FLAGS & set(video.flags)

    body = client.get(f"/api/v1/submissions/{oath_sub.id}", headers=token_for("r1")).get_json()
    oath = body["analyses"]["oath"]
    assert oath["status"] == "complete" and oath["message"] == "入党誓词完整"
    assert [p["status"] for p in oath["phrases"]] == ["present"] * 12 and oath["missing"] == []
    assert oath["start"] == pytest.approx(0, abs=1) and oath["end"] == pytest.approx(19.9, abs=1)
    assert body["analyses"]["speech"]["flags"] == []
    assert body["analyses"]["similar"] == []

    report = client.get(f"/api/v1/submissions/{report_sub.id}", headers=token_for("r2")).get_json()
    assert report["analyses"]["oath"]["status"] == "not_found"
    assert report["analyses"]["oath"]["message"] == "未找到入党誓词"
    consistency = report["analyses"]["consistency"]
    assert consistency["verdict"] == "reading" and consistency["label"] == "照读"

    # A phrase spoken only in the report clip finds that clip, at its segment.
    segment = next(s for s in reload_video(report_video).segments if "理论学习" in s.text)
    hits = search.search(people["committee"].id, "理论学习")
    spoken = [h for h in hits if h.kind == "transcript"]
    assert [(h.submission_id, h.start) for h in spoken] == [
        (report_sub.id, round(segment.start, 1))
    ]
    assert segment.start > 5  # not simply the start of the video
    assert all(h.submission_id == report_sub.id for h in hits)
    assert search.search(people["reviewer"].id, "理论学习") == []  # a2 is in the other branch
    assert {h.submission_id for h in search.search(people["committee"].id, "保守党的秘密")} == {
        oath_sub.id
    }
    version = db.session.get(SubmissionVersion, oath_sub.current.id)
    assert version.video_id == oath_video
