"""Probe: metadata of good clips and the error code for each kind of bad upload."""

from __future__ import annotations

import os
import pickle
import time

import pytest

from media import MediaError, probe
from media.ffmpeg_bin import FORMAT_WHITELIST, ffmpeg_exe, input_path, run_ffmpeg


def test_ffmpeg_found_without_ffprobe():
    assert os.access(ffmpeg_exe(), os.X_OK)


def test_browser_playable_h264(h264_clip):
    r = probe(h264_clip)
    assert r.format_name.startswith("mov,mp4")
    assert (r.width, r.height) == (640, 360)
    assert (r.display_width, r.display_height) == (640, 360)
    assert r.rotation == 0
    assert r.video_codec == "h264" and r.pix_fmt == "yuv420p" and r.bit_depth == 8
    assert 5.9 <= r.duration <= 6.1
    assert r.fps == pytest.approx(25)
    assert not r.is_vfr
    assert r.has_audio and r.audio_codec == "aac" and r.sample_rate == 44100 and r.channels == 1
    assert r.size_bytes == h264_clip.stat().st_size
    assert r.browser_playable


def test_iphone_hevc_hdr_rotated(hevc_rotated_clip):
    r = probe(hevc_rotated_clip, min_duration=1)
    assert (r.width, r.height) == (1280, 720)
    assert r.rotation == 90
    assert (r.display_width, r.display_height) == (720, 1280)
    assert r.video_codec == "hevc"
    assert r.bit_depth == 10 and r.hdr
    assert r.color_transfer == "arib-std-b67" and r.color_primaries == "bt2020"
    assert not r.browser_playable


def test_vfr_detected(vfr_clip):
    assert probe(vfr_clip).is_vfr


def test_missing_audio_is_not_an_error(no_audio_clip):
    r = probe(no_audio_clip)
    assert not r.has_audio
    assert r.audio_codec is None and r.sample_rate is None
    assert r.browser_playable


@pytest.mark.parametrize(
    ("fixture", "kwargs", "code"),
    [
        ("empty_clip", {}, "empty_file"),
        ("text_clip", {}, "not_video"),
        ("audio_only_clip", {}, "not_video"),
        ("hls_clip", {}, "forbidden_format"),
        ("concat_clip", {}, "forbidden_format"),
        ("truncated_clip", {}, "undecodable"),
        ("truncated_faststart_clip", {}, "undecodable"),
        ("short_clip", {}, "too_short"),
        ("long_clip", {"max_duration": 8}, "too_long"),
        ("huge_clip", {}, "bad_dimensions"),
        ("zero_dims_clip", {}, "bad_dimensions"),
        ("slow_fps_clip", {}, "bad_frame_rate"),
        ("fast_fps_clip", {}, "bad_frame_rate"),
    ],
)
def test_rejections(request, fixture, kwargs, code):
    path = request.getfixturevalue(fixture)
    with pytest.raises(MediaError) as info:
        probe(path, **kwargs)
    assert info.value.code == code, info.value.detail


def test_long_clip_passes_default_bound(long_clip):
    assert probe(long_clip).duration == pytest.approx(10, abs=0.3)


def test_missing_file_is_not_video(tmp_path):
    with pytest.raises(MediaError) as info:
        probe(tmp_path / "nope.mp4")
    assert info.value.code == "not_video"


def test_error_carries_ffmpeg_stderr(truncated_clip):
    with pytest.raises(MediaError) as info:
        probe(truncated_clip)
    assert "moov atom not found" in info.value.stderr
    assert not info.value.retryable


def _age_atime(path):
    """Make atime older than mtime so that, under relatime, any read updates it."""
    st = path.stat()
    os.utime(path, (st.st_mtime - 3600, st.st_mtime))
    return path.stat().st_atime


@pytest.mark.parametrize("fixture", ["hls_clip", "concat_clip"])
def test_playlists_never_read_their_targets(request, fixture, secret_file):
    playlist = request.getfixturevalue(fixture)
    before = _age_atime(secret_file)
    with pytest.raises(MediaError) as info:
        probe(playlist)
    assert info.value.code == "forbidden_format"
    # Also bypass the byte sniffing: ffmpeg's own allow lists must refuse the demuxer.
    renamed = playlist.with_suffix(".m3u8" if fixture == "hls_clip" else ".ffconcat")
    renamed.write_bytes(playlist.read_bytes())
    proc = run_ffmpeg(["-i", input_path(renamed), "-f", "null", "-"], timeout=30)
    assert proc.returncode != 0
    assert "SECRET" not in proc.stdout + proc.stderr
    time.sleep(0.01)
    assert secret_file.stat().st_atime == before


def test_format_whitelist_option_is_honoured(text_clip):
    proc = run_ffmpeg(["-f", "tty", "-i", input_path(text_clip), "-f", "null", "-"], timeout=30)
    assert proc.returncode != 0
    assert "not on whitelist" in proc.stderr
    assert "matroska" in FORMAT_WHITELIST


def test_timeout_kills_ffmpeg():
    start = time.monotonic()
    with pytest.raises(MediaError) as info:
        run_ffmpeg(
            ["-f", "lavfi", "-i", "testsrc2=s=64x64:r=25", "-f", "null", "-"], timeout=1, safe=False
        )
    assert info.value.code == "timeout" and info.value.retryable
    assert time.monotonic() - start < 10


def test_media_error_pickles_for_rq():
    err = MediaError("timeout", "slow", stderr="tail", retryable=True)
    back = pickle.loads(pickle.dumps(err))
    assert (back.code, back.detail, back.stderr) == ("timeout", "slow", "tail")
    assert back.retryable
    with pytest.raises(ValueError):
        MediaError("no_such_code")
