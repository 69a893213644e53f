"""Make a phone-like variant of a speech clip with ffmpeg filters (for the ASR quality bench).

    .venv/bin/python bench/phone_audio.py tests/data/oath.flac /tmp/oath_phone.m4a

A phone call in a small room: a short room echo, pink noise at about 15 dB SNR (measured over
the whole clip), the 300–3400 Hz telephone band, then AAC at 32 kbit/s mono, as a phone
recording app would store it. Deterministic (fixed noise seed).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from media.ffmpeg_bin import run_ffmpeg  # noqa: E402

SNR_DB = 15.0
NOISE_SEED = 16
ECHO = "aecho=0.8:0.6:23|41:0.35|0.2"  # two early reflections of a small room
BAND = "highpass=f=300:poles=2,highpass=f=300:poles=2,lowpass=f=3400:poles=2,lowpass=f=3400:poles=2"
_MEAN_RE = re.compile(r"mean_volume: (-?[\d.]+) dB")


def _mean_volume(args: list[str]) -> float:
    """Return ffmpeg volumedetect's mean volume (dBFS) of what args produce."""
    done = run_ffmpeg([*args, "-af", "volumedetect", "-f", "null", "-"], timeout=120, safe=False)
    found = _MEAN_RE.findall(done.stderr)
    if done.returncode != 0 or not found:
        raise RuntimeError(f"volumedetect failed: {done.stderr[-500:]}")
    return float(found[-1])


def make_phone_variant(src: Path, dst: Path, snr_db: float = SNR_DB) -> Path:
    """Write dst (.m4a, AAC 32 kbit/s mono) from src: room echo, pink noise, telephone band."""
    speech_db = _mean_volume(["-i", str(src)])
    noise = f"anoisesrc=color=pink:amplitude=0.5:sample_rate=16000:seed={NOISE_SEED}"
    noise_db = _mean_volume(["-f", "lavfi", "-i", noise, "-t", "10"])
    gain_db = speech_db - snr_db - noise_db
    graph = (
        f"[0:a]aresample=16000,aformat=channel_layouts=mono,{ECHO}[s];"
        f"[1:a]volume={gain_db:.2f}dB[n];"
        f"[s][n]amix=inputs=2:duration=first:normalize=0,{BAND}[out]"
    )
    dst.parent.mkdir(parents=True, exist_ok=True)
    args = ["-y", "-i", str(src), "-f", "lavfi", "-i", noise, "-filter_complex", graph]
    args += ["-map", "[out]", "-ac", "1", "-ar", "16000", "-c:a", "aac", "-b:a", "32k", str(dst)]
    done = run_ffmpeg(args, timeout=120, safe=False)
    if done.returncode != 0:
        raise RuntimeError(f"ffmpeg failed: {done.stderr[-800:]}")
    return dst


if __name__ == "__main__":
    make_phone_variant(Path(sys.argv[1]), Path(sys.argv[2]))
