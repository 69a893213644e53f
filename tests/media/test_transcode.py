"""Transcode: one ffmpeg pass gives a browser-safe MP4, a poster JPEG and a 16 kHz WAV."""

from __future__ import annotations

import wave

import pytest
from PIL import Image

from media import MediaError, extract_audio, make_poster, probe, transcode
from media.transcode import output_size

pytestmark = pytest.mark.slow


def _run(src, out_dir, **kwargs):
    """Probe and transcode `src` into out_dir, recording progress."""
    pr = probe(src, min_duration=0.5)
    progress: list[float] = []
    result = transcode(
        src,
        out_dir / "video.mp4",
        out_dir / "poster.jpg",
        out_dir / "audio.wav",
        pr,
        on_progress=progress.append,
        timeout=300,
        **kwargs,
    )
    return pr, result, progress


def _assert_browser_safe(path):
    """Check the output is H.264 8-bit yuv420p, unrotated, with faststart."""
    out = probe(path, min_duration=0.5)
    assert out.video_codec == "h264"
    assert out.pix_fmt == "yuv420p" and out.bit_depth == 8
    assert out.rotation == 0
    assert out.browser_playable
    assert b"moov" in path.read_bytes()[:4096]  # faststart: index before the media data
    return out


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((640, 360), (640, 360)),
        ((1920, 1080), (1280, 720)),
        ((720, 1280), (720, 1280)),
        ((1080, 1920), (720, 1280)),
        ((321, 241), (320, 240)),
        ((3840, 2160), (1280, 720)),
    ],
)
def test_output_size(size, expected):
    assert output_size(*size) == expected


def test_h264_clip(h264_clip, tmp_path):
    pr, result, progress = _run(h264_clip, tmp_path)
    out = _assert_browser_safe(result.video_path)
    assert (out.width, out.height) == (640, 360)
    assert out.has_audio and out.audio_codec == "aac" and out.channels == 2
    assert out.duration == pytest.approx(pr.duration, abs=0.2)
    assert progress and progress == sorted(progress) and progress[-1] == pytest.approx(1.0)
    assert all(0 <= p <= 1 for p in progress)
    assert result.poster_path.read_bytes()[:3] == b"\xff\xd8\xff"
    with wave.open(str(result.audio_path), "rb") as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (16000, 1, 2)
        assert wav.getnframes() / 16000 == pytest.approx(6, abs=0.2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audio.wav", "poster.jpg", "video.mp4"]


def test_rotated_hdr_hevc(hevc_rotated_clip, tmp_path):
    _pr, result, _ = _run(hevc_rotated_clip, tmp_path)
    assert result.tonemapped
    out = _assert_browser_safe(result.video_path)
    assert (out.width, out.height) == (720, 1280)
    assert (out.display_width, out.display_height) == (720, 1280)
    assert not out.hdr
    poster = probe_image_dims(result.poster_path)
    assert poster == (720, 1280)


def test_hdr_without_tonemap_is_labelled_sdr(hevc_rotated_clip, tmp_path):
    pr = probe(hevc_rotated_clip, min_duration=1)
    result = transcode(
        hevc_rotated_clip,
        tmp_path / "v.mp4",
        tmp_path / "p.jpg",
        None,
        pr,
        timeout=300,
        tonemap=False,
    )
    assert not result.tonemapped and result.audio_path is None
    out = _assert_browser_safe(result.video_path)
    assert (out.color_primaries, out.color_transfer) == ("bt709", "bt709")
    assert out.has_audio


def test_downscale_and_fps_cap(hd60_clip, tmp_path):
    pr, result, _ = _run(hd60_clip, tmp_path)
    assert pr.fps == pytest.approx(60)
    out = _assert_browser_safe(result.video_path)
    assert (out.width, out.height) == (1280, 720)
    assert out.fps <= 30
    assert result.audio_path is None
    assert not (tmp_path / "audio.wav").exists()
    assert probe_image_dims(result.poster_path) == (1280, 720)


def test_no_audio(no_audio_clip, tmp_path):
    _pr, result, _ = _run(no_audio_clip, tmp_path)
    assert result.audio_path is None
    assert not _assert_browser_safe(result.video_path).has_audio


def test_extract_audio_and_poster(oath_clip, tmp_path):
    wav_path = extract_audio(oath_clip, tmp_path / "a.wav", timeout=60)
    with wave.open(str(wav_path), "rb") as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (16000, 1, 2)
        assert wav.getnframes() / 16000 == pytest.approx(19.9, abs=0.3)
    poster = make_poster(oath_clip, tmp_path / "p.jpg", probe(oath_clip), timeout=60)
    assert probe_image_dims(poster) == (320, 240)


def test_extract_audio_without_audio_fails_cleanly(no_audio_clip, tmp_path):
    with pytest.raises(MediaError) as info:
        extract_audio(no_audio_clip, tmp_path / "a.wav", timeout=60)
    assert info.value.code == "transcode_failed"
    assert list(tmp_path.iterdir()) == []


def test_failure_leaves_no_partial_files(h264_clip, tmp_path):
    pr = probe(h264_clip)
    with pytest.raises(MediaError) as info:
        transcode(
            tmp_path / "missing.mp4",
            tmp_path / "v.mp4",
            tmp_path / "p.jpg",
            tmp_path / "a.wav",
            pr,
            on_progress=None,
            timeout=60,
        )
    assert info.value.code == "transcode_failed" and info.value.stderr
    assert list(tmp_path.iterdir()) == []


def probe_image_dims(path):
    """Return a JPEG's (width, height)."""
    with Image.open(path) as img:
        assert img.format == "JPEG"
        return img.size


def test_1080p_hevc_passes_under_the_default_memory_limit(hevc1080_clip, tmp_path):
    from media import ffmpeg_bin

    assert ffmpeg_bin.memory_limit() == ffmpeg_bin.DEFAULT_MEMORY_BYTES
    result = transcode(
        hevc1080_clip,
        tmp_path / "v.mp4",
        tmp_path / "p.jpg",
        tmp_path / "a.wav",
        probe(hevc1080_clip, min_duration=0.5),
    )
    assert (result.width, result.height) == (1280, 720)


def test_tight_memory_limit_is_out_of_memory_not_a_hang(hevc1080_clip, tmp_path):
    from media import ffmpeg_bin

    probed = probe(hevc1080_clip, min_duration=0.5)
    ffmpeg_bin.set_memory_limit(150 * 2**20)
    try:
        with pytest.raises(MediaError) as info:
            transcode(hevc1080_clip, tmp_path / "v.mp4", tmp_path / "p.jpg", None, probed)
    finally:
        ffmpeg_bin.set_memory_limit(ffmpeg_bin.DEFAULT_MEMORY_BYTES)
    assert info.value.code == "out_of_memory" and not info.value.retryable
    assert not list(tmp_path.iterdir())  # no partial output left behind
