"""The pipeline end to end with real ffmpeg, real Redis and the real Whisper model."""

from __future__ import annotations

import time

import pytest

from media import ffmpeg_bin
from media.text import cer, normalize_for_cer
from review.models import VideoState
from tests.fixtures.app import PASSWORD
from tests.fixtures.pipeline import reload_video, run_jobs

pytestmark = pytest.mark.slow

OATH = (
    "我志愿加入中国共产党，拥护党的纲领，遵守党的章程，履行党员义务，执行党的决定，严守党的纪律，"
    "保守党的秘密，对党忠诚，积极工作，为共产主义奋斗终身，随时准备为党和人民牺牲一切，永不叛党。"
)


def test_oath_clip_fast_path_reaches_ready_with_accurate_transcript(
    app, ingest, oath_clip, client, token_for
):
    video_id = ingest(oath_clip)
    assert reload_video(video_id).state == VideoState.UPLOADED.value
    run_jobs(app)
    video = reload_video(video_id)
    assert video.state == VideoState.READY.value, (video.error_code, video.error_detail)
    assert video.probe["browser_playable"] is True
    assert video.transcoded and video.reviewable
    assert video.transcript_engine.startswith("faster-whisper:")  # openai: tests/engines
    text = "".join(s.text for s in video.segments)
    assert "中国共产党" in text
    assert cer(normalize_for_cer(OATH), normalize_for_cer(text)) <= 0.10
    assert (app.config["MEDIA_ROOT"] / video.vtt_path).read_text().startswith("WEBVTT")
    assert all(s.start < s.end for s in video.segments)

    data = client.get(
        f"/api/v1/submissions/{_submission_id(video_id)}", headers=token_for("a1")
    ).get_json()
    assert data["state"] == "draft"
    assert data["video"]["state"] == "ready"
    assert data["video"]["sha256"] == video.sha256
    assert data["video"]["progress"]["transcribe"] == 1.0
    assert "中国共产党" in data["video"]["transcript"]["text"]
    assert data["video"]["transcript"]["segments"][0].keys() == {"start", "end", "text"}


def _submission_id(video_id: int) -> int:
    from tests.fixtures.pipeline import submission_of

    return submission_of(video_id).id


def test_rotated_hevc_is_transcoded_before_review(make_app, people, hevc_rotated_clip):
    app = make_app(MIN_DURATION=1)
    with app.app_context():
        from review.services.videos import ingest_file

        video_id = ingest_file(
            people["activist"].id,
            people["period"].id,
            hevc_rotated_clip,
            "IMG_0001.MOV",
            move=False,
        ).id
        run_jobs(app)
        video = reload_video(video_id)
        assert video.state == VideoState.READY.value, (video.error_code, video.error_detail)
        assert video.probe["browser_playable"] is False
        assert video.transcoded
        assert video.playable_path.endswith("playable.mp4")
        assert (video.width, video.height)[0] < (video.width, video.height)[1]  # portrait


def test_no_audio_is_processed_and_flagged(app, ingest, no_audio_clip):
    video_id = ingest(no_audio_clip)
    run_jobs(app)
    video = reload_video(video_id)
    assert video.state == VideoState.READY.value
    assert "no_audio" in video.flags
    assert video.segments == []


@pytest.mark.parametrize(
    "fixture, code, message",
    [
        ("short_clip", "too_short", "视频太短（少于 5 秒），请重新录制后上传。"),
        ("empty_clip", "empty_file", "上传的文件是空的，请重新选择视频上传。"),
        ("text_clip", "not_video", "这个文件不是视频"),
        ("audio_only_clip", "not_video", "这个文件不是视频"),
        ("hls_clip", "forbidden_format", "不支持这种文件格式"),
        ("truncated_clip", "undecodable", "视频无法解码"),
        ("huge_clip", "bad_dimensions", "视频画面尺寸异常"),
    ],
)
def test_bad_clips_fail_with_a_chinese_reason(
    app, ingest, request, fixture, code, message, client, token_for
):
    video_id = ingest(request.getfixturevalue(fixture))
    run_jobs(app)
    video = reload_video(video_id)
    assert video.state == VideoState.FAILED.value
    assert video.error_code == code
    data = client.get(
        f"/api/v1/submissions/{_submission_id(video_id)}", headers=token_for("a1")
    ).get_json()
    assert message in data["video"]["error"]["message"]


def test_too_long_fails(make_app, people, long_clip):
    app = make_app(MAX_DURATION=8)
    with app.app_context():
        from review.services.videos import ingest_file

        video_id = ingest_file(
            people["activist"].id, people["period"].id, long_clip, "", move=False
        ).id
        run_jobs(app)
        video = reload_video(video_id)
        assert (video.state, video.error_code) == (VideoState.FAILED.value, "too_long")


def test_jobs_are_idempotent(app, ingest, h264_clip):
    from workers.jobs import probe_video, transcode_video

    video_id = ingest(h264_clip)
    run_jobs(app)
    before = reload_video(video_id)
    state, updated = before.state, before.updated_at
    probe_video(video_id)
    transcode_video(video_id)
    after = reload_video(video_id)
    assert (after.state, after.updated_at) == (state, updated)


def test_tight_ffmpeg_memory_limit_fails_with_a_chinese_reason(make_app, people, hevc_rotated_clip):
    # 200 MB of address space is far below what ffmpeg maps for an HEVC decode (~750 MB).
    app = make_app(MIN_DURATION=1, FFMPEG_MEMORY_MB=200)
    with app.app_context():
        from review.services.videos import ingest_file

        video_id = ingest_file(
            people["activist"].id, people["period"].id, hevc_rotated_clip, "", move=False
        ).id
        started = time.monotonic()
        try:
            run_jobs(app)  # in this process: the job sets the limit for the whole process
        finally:
            ffmpeg_bin.set_memory_limit(ffmpeg_bin.DEFAULT_MEMORY_BYTES)
        assert time.monotonic() - started < 120  # fails at once, never hangs
        video = reload_video(video_id)
        assert (video.state, video.error_code) == (VideoState.FAILED.value, "out_of_memory")
        assert "200 MB address-space limit" in video.error_detail
        client = app.test_client()
        resp = client.post("/api/v1/session", json={"username": "a1", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {resp.get_json()['token']}"}
        url = f"/api/v1/submissions/{_submission_id(video_id)}"
        data = client.get(url, headers=headers).get_json()
        assert "视频处理所需的内存超出了服务器的限制" in data["video"]["error"]["message"]


def test_fast_path_has_its_poster_before_the_transcode(app, ingest, oath_clip):
    """The page is reviewable on the original before the transcode runs: it needs a poster
    then, or the player stays black until played."""
    from workers import jobs

    video_id = ingest(oath_clip)
    jobs.probe_video(video_id)
    jobs.extract_audio(video_id)
    video = reload_video(video_id)
    assert not video.transcoded and video.poster_path
    poster = app.config["MEDIA_ROOT"] / video.poster_path
    assert poster.read_bytes()[:2] == b"\xff\xd8"  # a JPEG


def test_a_transcoded_video_is_transcribed_beside_its_transcode(app, ingest, mpeg4_clip):
    """A video that must be transcoded has its audio pulled out first, so that its chunks can
    be transcribed by other workers (or hosts) while one worker transcodes: reviewable at
    max(transcode, transcription) instead of their sum. The transcode does not write the WAV
    again, and a chunk starting does not pull the transcode's deadline in."""
    from review.extensions import db
    from review.services import pipeline
    from workers import jobs

    video_id = ingest(mpeg4_clip)
    jobs.probe_video(video_id)
    video = reload_video(video_id)
    assert not pipeline.is_fast_path(video)
    assert pipeline.needed_steps(video) == ["audio"]
    jobs.extract_audio(video_id)
    video = reload_video(video_id)
    assert video.audio_path and not video.transcoded
    assert pipeline.needed_steps(video) == ["transcode", "transcribe"]
    wav = app.config["MEDIA_ROOT"] / video.audio_path
    written = wav.stat().st_mtime_ns

    started = pipeline.start_step(video_id, "transcode")
    assert started is not None
    transcode_deadline = started.deadline_at
    pipeline.start_step(video_id, "transcribe")
    assert reload_video(video_id).deadline_at >= transcode_deadline
    db.session.rollback()

    run_jobs(app)
    video = reload_video(video_id)
    assert video.state == VideoState.READY.value, (video.error_code, video.error_detail)
    assert video.transcoded and video.transcript_engine
    assert wav.stat().st_mtime_ns == written  # the transcode wrote the MP4 and poster only
