"""The openai-whisper engine through the real transcription job, from upload to `ready`.

The job passes `on_progress` to every engine; the openai-whisper engine once lacked it and
every transcription job raised TypeError (the faster-whisper run is tests/pipeline).
"""

from __future__ import annotations

import pytest

from media.asr import clear_cache
from review.models import VideoState
from tests.fixtures.pipeline import reload_video, run_jobs

pytest.importorskip("whisper")
pytestmark = pytest.mark.slow


def test_openai_whisper_job_takes_the_oath_clip_to_ready(make_app, people, oath_clip, checkpoint):
    # Greedy decoding: the job and the engine are under test here, not beam search's accuracy.
    # One thread, as `make run` gives each worker: the engine must take WHISPER_THREADS too.
    app = make_app(
        WHISPER_ENGINE="openai-whisper",
        WHISPER_MODEL=str(checkpoint),
        WHISPER_BEAM_SIZE=1,
        WHISPER_THREADS=1,
    )
    clear_cache()
    try:
        with app.app_context():
            from review.services.videos import ingest_file

            video_id = ingest_file(
                people["activist"].id, people["period"].id, oath_clip, oath_clip.name, move=False
            ).id
            run_jobs(app)
            video = reload_video(video_id)
            assert video.state == VideoState.READY.value, (video.error_code, video.error_detail)
            assert video.transcript_engine == "openai-whisper:whisper-base.pt"
            assert "中国共产党" in "".join(s.text for s in video.segments)
            assert all(s.start < s.end for s in video.segments)
            assert video.progress["transcribe"] == 1.0
            assert (app.config["MEDIA_ROOT"] / video.vtt_path).read_text().startswith("WEBVTT")
            import torch

            assert torch.get_num_threads() == 1  # WHISPER_THREADS reached the engine
    finally:
        clear_cache()  # the next tests load their own engine; free this model's memory
