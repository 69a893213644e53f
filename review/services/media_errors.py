"""Chinese reasons shown to activists for each media error code."""

from __future__ import annotations

from flask_babel import gettext


def N_(msgid: str) -> str:  # noqa: N802  (marks a msgid for extraction; translated later)
    """Mark msgid for translation without translating it now."""
    return msgid


REASONS = {
    "empty_file": N_("上传的文件是空的，请重新选择视频上传。"),
    "not_video": N_("这个文件不是视频，请选择手机录制的视频文件（如 MP4、MOV）。"),
    "forbidden_format": N_("不支持这种文件格式，请上传手机直接录制的视频文件（如 MP4、MOV）。"),
    "undecodable": N_("视频无法解码，可能文件不完整或已损坏，请重新录制后上传。"),
    "too_short": N_("视频太短（少于 %(min)s 秒），请重新录制后上传。"),
    "too_long": N_("视频太长（超过 %(max)s 分钟），请剪短或重新录制后上传。"),
    "bad_dimensions": N_("视频画面尺寸异常，请用手机相机重新录制后上传。"),
    "bad_frame_rate": N_("视频帧率异常，请用手机相机重新录制后上传。"),
    "timeout": N_("视频处理超时，请稍后重试；如果多次失败，请重新录制一段较短的视频。"),
    "out_of_memory": N_(
        "视频处理所需的内存超出了服务器的限制。请用手机相机以 1080p 或更低的分辨率重新录制后上传。"
    ),
    "transcode_failed": N_("视频转码失败，请重新录制后上传。"),
    "transcribe_failed": N_("语音转写失败，管理员已收到通知，请稍后查看。"),
    "model_missing": N_("语音识别模型缺失，请联系管理员。"),
    "retries_exhausted": N_("视频多次处理失败，请重新上传；如果仍然失败，请联系管理员。"),
}
FLAGS = {
    "no_audio": N_("未检测到音频"),
    "no_speech": N_("未检测到语音"),
    "low_volume": N_("音量过低"),
    "short_video": N_("视频过短（%(advice)s）"),
    "long_silence": N_("长时间静音"),
}


def reason(code: str | None, *, min_seconds: float = 5, max_seconds: float = 600) -> str:
    """Return the Chinese reason for a media error code."""
    msgid = REASONS.get(code or "", REASONS["transcode_failed"])
    return gettext(msgid, min=f"{min_seconds:g}", max=f"{max_seconds / 60:g}")


def recommended_length() -> str:
    """Return the committee's advice on the video's length, e.g. "建议 1–5 分钟"."""
    from flask import current_app

    low = current_app.config["RECOMMENDED_MIN_DURATION"]
    high = current_app.config["RECOMMENDED_MAX_DURATION"]
    if low % 60 == 0 and high % 60 == 0:
        return gettext("建议 %(low)s–%(high)s 分钟", low=f"{low / 60:g}", high=f"{high / 60:g}")
    return gettext("建议 %(low)s–%(high)s 秒", low=f"{low:g}", high=f"{high:g}")


def flag_label(code: str) -> str:
    """Return the Chinese label of a video flag (视频过短 says the recommended length)."""
    if code == "short_video":
        return gettext(FLAGS[code], advice=recommended_length())
    return gettext(FLAGS[code]) if code in FLAGS else code
