"""Speech figures and flags: a silent clip, a quiet clip and the oath clip, end to end."""

from __future__ import annotations

import pytest

from media.speech import AudioStats, flags, measure_audio, parse_stats, speech_figures
from review.extensions import db
from tests.analyses.conftest import DATA, segments
from tests.fixtures.pipeline import reload_video, run_jobs, submission_of


def test_parse_stats_reads_the_filters_reports():
    log = (
        "[silencedetect @ 0x1] silence_start: 2.5\n"
        "[silencedetect @ 0x1] silence_end: 14.0 | silence_duration: 11.5\n"
        "[silencedetect @ 0x1] silence_start: 18.2\n"
        "[volumedetect @ 0x2] mean_volume: -24.3 dB\n[volumedetect @ 0x2] max_volume: -2.0 dB\n"
        "[Parsed_ebur128_2 @ 0x3] Summary:\n\n  Integrated loudness:\n    I:         -21.5 LUFS\n"
    )
    stats = parse_stats(log, 20.0)
    assert stats.silences == [(2.5, 14.0), (18.2, 20.0)]
    assert (stats.mean_volume, stats.max_volume, stats.loudness) == (-24.3, -2.0, -21.5)
    assert stats.longest_silence == pytest.approx(11.5)
    assert flags(stats, chars=120) == ["long_silence"]


def test_flags_table():
    loud = AudioStats(20.0, [], -20.0, -3.0, -19.0)
    quiet = AudioStats(20.0, [(0.0, 12.0)], -60.0, -43.0, -59.0)
    silent = AudioStats(15.0, [(0.0, 15.0)], -91.0, -91.0, -70.0)
    assert flags(loud, 100) == []
    assert flags(quiet, 100) == ["low_volume"]  # silence figures of a quiet clip mean nothing
    assert flags(silent, 0) == ["no_speech", "long_silence"]


def test_oath_audio_figures():
    stats = measure_audio(DATA / "oath.flac", 19.9)
    figures = speech_figures(stats, segments([(0.0, 19.92, "我" * 91)]), 91)
    assert figures.flags == []
    assert figures.loudness == pytest.approx(-19.6, abs=2)
    assert 200 < figures.chars_per_minute < 320
    assert figures.longest_silence < 2 and figures.speaking_seconds > 15


def test_quiet_clip_is_flagged_low_volume(quiet_clip):
    stats = measure_audio(quiet_clip, 19.9)
    assert stats.loudness < -50
    assert flags(stats, chars=91) == ["low_volume"]


@pytest.mark.slow
def test_silent_clip_end_to_end(app, people, ingest, silent_clip, client, auth):
    video_id = ingest(silent_clip)
    run_jobs(app)
    video = reload_video(video_id)
    assert video.state == "ready"
    assert {"no_speech", "long_silence"} <= set(video.flags) and "low_volume" not in video.flags
    auth.login("a1")  # the activist sees the flags at once, before submitting
    body = client.get(f"/api/v1/submissions/{submission_of(video_id).id}").get_json()
    speech = body["analyses"]["speech"]
    assert [f["message"] for f in speech["flags"]] == ["未检测到语音", "长时间静音"]
    assert speech["longest_silence"] >= 14 and speech["chars"] == 0
    assert {f["code"] for f in body["video"]["flags"]} >= {"no_speech", "long_silence"}
    assert "similar" not in body["analyses"] and "consistency" not in body["analyses"]
    db.session.remove()
