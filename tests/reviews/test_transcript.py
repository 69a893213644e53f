"""Real Whisper through the pipeline: Party terms corrected with the recognised text kept,
and a reviewer's transcript correction survives a re-transcription job."""

from __future__ import annotations

import pytest

from media.text import cer
from review.extensions import db
from review.services import pipeline
from tests.fixtures.pipeline import reload_video, run_jobs, submission_of
from tests.reviews.conftest import login, submit_version

pytestmark = pytest.mark.slow

OATH = (
    "我志愿加入中国共产党，拥护党的纲领，遵守党的章程，履行党员义务，执行党的决定，严守党的纪律，"
    "保守党的秘密，对党忠诚，积极工作，为共产主义奋斗终身，随时准备为党和人民牺牲一切，永不叛党。"
)


def test_correction_survives_retranscription(app, client, people, ingest, oath_clip):
    video_id = ingest(oath_clip)
    run_jobs(app)
    video = reload_video(video_id)
    assert video.reviewable, (video.state, video.error_code)
    submission = submission_of(video_id)
    submit_version(submission.current)
    # Party terms were corrected on the way in, the recognised words kept beside them.
    fixes = [(s, f) for s in video.segments for f in s.term_fixes]
    assert fixes, [s.text for s in video.segments]
    for seg, fix in fixes:
        assert seg.text[fix["at"] : fix["at"] + len(fix["term"])] == fix["term"]
        assert fix["heard"] in seg.original_text and fix["heard"] != fix["term"]
    shown = "".join(s.text for s in video.segments)
    heard_all = "".join(s.original_text for s in video.segments)
    assert "纲领" in shown and cer(OATH, shown) < cer(OATH, heard_all)
    assert "," not in shown  # full-width punctuation in Chinese text
    first = video.segments[0]
    heard, corrected = first.original_text, "我志愿加入中国共产党（审阅人校对）"
    login(client, "r1")
    resp = client.post(f"/reviews/{submission.id}/segments/{first.id}", json={"text": corrected})
    assert resp.status_code == 200 and resp.get_json()["corrected"] is True

    video = reload_video(video_id)
    engine = video.transcript_engine
    video.transcript_engine = None  # ask for a fresh transcription, as an admin re-run would
    db.session.commit()
    assert any(job.startswith("transcribe-") for job in pipeline.enqueue_video(video_id))
    run_jobs(app)

    video = reload_video(video_id)
    assert video.transcript_engine == engine  # the job really ran to the end
    segment = next(s for s in video.segments if s.id == first.id)
    assert segment.text == corrected and segment.original_text == heard
    assert segment.corrected_by == people["reviewer"].id
    vtt = client.get(f"/reviews/{submission.id}/captions.vtt").get_data(as_text=True)
    assert corrected in vtt
    html = client.get(f"/reviews/{submission.id}").get_data(as_text=True)
    assert corrected in html and "已校对" in html
