"""Benchmark the media pipeline on a generated 3-minute 1080p phone-like clip.

Prints, measured in one run on this machine:
  * time to reviewable and to fully transcoded, as fractions of the clip's duration, for a
    browser-playable H.264/AAC MP4 (fast path) and an iPhone-like HEVC .mov (transcoded first),
    with `make run`'s default of one worker process per core (WHISPER_THREADS=1), once with
    the transcription as one job (TRANSCRIBE_CHUNK_SECONDS=0, the baseline) and once cut into
    chunks that the workers share (the default), with the load average beside each figure;
  * the transcode step's time divided by the bare equivalent ffmpeg command's time
    (same encoder settings, one output, same niceness, runs interleaved A/B/B/A);
  * the transcription real-time factor.

Usage: .venv/bin/python bench/pipeline.py [--quick] [--seconds N] [--keep DIR] [--workers N]
       [--no-transcode-ratio] [--clips both|fast|hevc] [--in-process]
(--quick: a 60-second clip and one transcode repetition; nothing is downloaded).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from media.ffmpeg_bin import ffmpeg_exe, run_ffmpeg  # noqa: E402
from media.probe import probe  # noqa: E402
from media.transcode import AUDIO_BITRATE, CRF, PRESET, output_size, transcode  # noqa: E402

SPEECH = [
    ROOT / "tests" / "data" / name for name in ("report.flac", "oath.flac", "oath_partial.flac")
]


def make_speech(seconds: int, out: Path) -> Path:
    """Loop the Mandarin fixtures (with short pauses) into `seconds` of 48 kHz stereo audio."""
    inputs, labels = [], []
    for i, path in enumerate(SPEECH):
        inputs += ["-i", str(path)]
        labels.append(f"[{i}:a]apad=pad_dur=1.5[a{i}]")
    graph = (
        ";".join(labels)
        + ";"
        + "".join(f"[a{i}]" for i in range(len(SPEECH)))
        + f"concat=n={len(SPEECH)}:v=0:a=1,aloop=loop=-1:size=2e9,atrim=0:{seconds},"
        "aresample=48000,aformat=channel_layouts=stereo[out]"
    )
    run_ffmpeg(
        ["-y", *inputs, "-filter_complex", graph, "-map", "[out]", str(out)],
        timeout=600,
        safe=False,
        nice=False,
    )
    return out


def make_clip(kind: str, seconds: int, speech: Path, out: Path) -> Path:
    """Generate a 1080p30 portrait-ish phone clip: H.264/AAC MP4 or 10-bit HEVC .mov rotated 90°."""
    if out.exists():
        return out
    video = ["-f", "lavfi", "-i", f"testsrc2=s=1920x1080:r=30:d={seconds}", "-i", str(speech)]
    if kind == "h264":
        codec = [
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-crf",
            "20",
            "-pix_fmt",
            "yuv420p",
            "-profile:v",
            "high",
            "-c:a",
            "aac",
            "-b:a",
            "128k",
            "-movflags",
            "+faststart",
        ]
    else:
        codec = [
            "-c:v",
            "libx265",
            "-preset",
            "ultrafast",
            "-crf",
            "24",
            "-pix_fmt",
            "yuv420p10le",
            "-tag:v",
            "hvc1",
            "-c:a",
            "aac",
            "-b:a",
            "128k",
            "-x265-params",
            "log-level=error",
        ]
    tmp = out.with_suffix(".tmp" + out.suffix)
    proc = run_ffmpeg(
        ["-y", *video, "-map", "0:v", "-map", "1:a", "-shortest", *codec, str(tmp)],
        timeout=3600,
        safe=False,
        nice=False,
    )
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-2000:])
    if kind == "hevc":  # mark it rotated like an iPhone portrait recording
        rotated = out.with_suffix(".rot" + out.suffix)
        run_ffmpeg(
            ["-y", "-display_rotation", "90", "-i", str(tmp), "-c", "copy", str(rotated)],
            timeout=600,
            safe=False,
            nice=False,
        )
        tmp.unlink()
        tmp = rotated
    tmp.rename(out)
    return out


def bare_transcode(src: Path, out: Path, pr) -> float:
    """Run the plain ffmpeg command with the same encoder settings; return seconds."""
    w, h = output_size(pr.display_width, pr.display_height)
    vf = (
        f"fps=30,scale={w}:{h},format=yuv420p" if pr.fps > 30.5 else f"scale={w}:{h},format=yuv420p"
    )
    cmd = [
        "nice",
        "-n",
        "10",
        ffmpeg_exe(),
        "-nostdin",
        "-hide_banner",
        "-y",
        "-i",
        str(src),
        "-vf",
        vf,
        "-c:v",
        "libx264",
        "-crf",
        str(CRF),
        "-preset",
        PRESET,
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-b:a",
        AUDIO_BITRATE,
        "-ac",
        "2",
        "-movflags",
        "+faststart",
        str(out),
    ]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def ours_transcode(src: Path, folder: Path, pr) -> float:
    """Run media.transcode.transcode (MP4 + poster + WAV in one run); return seconds."""
    start = time.perf_counter()
    transcode(src, folder / "v.mp4", folder / "p.jpg", folder / "a.wav", pr, timeout=3600)
    return time.perf_counter() - start


def transcode_ratio(src: Path, work: Path, reps: int) -> tuple[float, list[float], list[float]]:
    """Interleave ours/bare runs (A B B A ...) and return median(ours)/median(bare)."""
    pr = probe(src, max_duration=3600)
    ours, bare = [], []
    for i in range(reps):
        order = ("ours", "bare") if i % 2 == 0 else ("bare", "ours")
        for which in order:
            if which == "ours":
                ours.append(ours_transcode(src, work, pr))
            else:
                bare.append(bare_transcode(src, work / "bare.mp4", pr))
    return statistics.median(ours) / statistics.median(bare), ours, bare


def pipeline_times(clip: Path, duration: float, instance: Path) -> dict:
    """Ingest clip into a fresh embedded-default app and time each milestone."""
    os.environ.update(HUIBAO_INSTANCE=str(instance), MAX_DURATION="3600")
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    from flask_migrate import upgrade
    from rq import SimpleWorker

    from review import create_app
    from review.extensions import db
    from review.models import Video
    from review.queues import QUEUE_NAMES
    from review.services import accounts, periods
    from review.services.videos import ingest_file

    app = create_app()
    with app.app_context():
        upgrade(revision="heads")
        if not db.session.scalar(db.select(Video).limit(1)) and not accounts.db.session.scalar(
            db.select(accounts.User).where(accounts.User.username == "bench")
        ):
            accounts.create_branch("基准测试支部")
            accounts.create_user("bench", "测试", "activist", "bench-password", ["基准测试支部"])
            import datetime as dt

            periods.open_period(
                "基准测试",
                dt.date.today() - dt.timedelta(days=1),
                dt.date.today() + dt.timedelta(days=1),
            )
        user = db.session.scalar(db.select(accounts.User).where(accounts.User.username == "bench"))
        period_id = periods.open_periods()[0].id
        from review.services.asr import get_engine

        t_load = time.perf_counter()
        get_engine()  # a worker loads the model once at start, before any job
        load_s = time.perf_counter() - t_load
        start = time.perf_counter()
        video_id = ingest_file(user.id, period_id, clip, clip.name, move=False).id
        worker = SimpleWorker(
            [app.extensions["rq"][n] for n in QUEUE_NAMES], connection=app.extensions["redis"]
        )
        marks, steps = {}, {}
        while True:
            t0 = time.perf_counter()
            if not worker.work(burst=True, max_jobs=1):
                break
            video = db.session.get(Video, video_id, populate_existing=True)
            steps[video.stage] = steps.get(video.stage, 0) + time.perf_counter() - t0
            now = time.perf_counter() - start
            if video.reviewable and "reviewable" not in marks:
                marks["reviewable"] = now
            if video.transcoded and "transcoded" not in marks:
                marks["transcoded"] = now
        video = db.session.get(Video, video_id, populate_existing=True)
        assert video.state == "ready", (video.state, video.error_code, video.error_detail)
        return {
            "reviewable": marks["reviewable"] / duration,
            "transcoded": marks["transcoded"] / duration,
            "rtf": steps.get("transcribe", 0) / duration,
            "steps": steps,
            "model_load_s": load_s,
            "segments": len(video.segments),
        }


def measure_with_workers(clip: Path, duration: float, workers: int, chunk_seconds: float) -> dict:
    """In a fresh instance, start `workers` worker processes as `make run` does; time the clip.

    Runs in its own interpreter (the app's Config reads the environment once, at import).
    """
    args = [
        sys.executable,
        __file__,
        "--measure",
        str(clip),
        "--seconds",
        str(int(duration)),
        "--workers",
        str(workers),
        "--chunk-seconds",
        str(chunk_seconds),
    ]
    proc = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, check=False)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise SystemExit(proc.stdout[-3000:] + proc.stderr[-3000:])
    return json.loads(lines[-1])


def _measure_child(clip: Path, duration: float, workers: int, chunk_seconds: float) -> None:
    """The child of measure_with_workers: print one JSON line of figures."""
    with tempfile.TemporaryDirectory(prefix="hb-") as instance:
        os.environ.update(
            HUIBAO_INSTANCE=instance,
            MAX_DURATION="3600",
            WHISPER_THREADS="1",
            TRANSCRIBE_CHUNK_SECONDS=str(chunk_seconds),
        )
        os.environ.setdefault("MODEL_CACHE", str(Path.home() / ".cache" / "huibao-models"))
        os.environ.pop("DATABASE_URL", None)
        os.environ.pop("REDIS_URL", None)
        from flask_migrate import upgrade
        from rq import Worker

        from review import create_app, embedded
        from review.extensions import db
        from review.models import TranscriptChunk, Video
        from review.services import accounts, periods
        from review.services.videos import ingest_file

        app = create_app()
        procs: list[subprocess.Popen] = []
        try:
            with app.app_context():
                upgrade(revision="heads")
                accounts.create_branch("基准测试支部")
                user = accounts.create_user(
                    "bench", "测试", "activist", "zhuozi-shanhu-83-yueliang", ["基准测试支部"]
                )
                import datetime as dt

                today = dt.date.today()
                period = periods.open_period(
                    "基准测试", today - dt.timedelta(days=1), today + dt.timedelta(days=1)
                )
                env = dict(os.environ, REDIS_URL=app.config["REDIS_URL"])
                for _ in range(workers):
                    procs.append(
                        subprocess.Popen(
                            [sys.executable, "-m", "workers.worker", "--reconcile-every", "0"],
                            env=env,
                            cwd=ROOT,
                            start_new_session=True,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                        )
                    )
                redis = app.extensions["redis"]
                deadline = time.monotonic() + 300
                while len(Worker.all(connection=redis)) < workers:  # the model is loaded
                    if time.monotonic() > deadline:
                        raise SystemExit("workers did not start")
                    time.sleep(0.2)
                load_before = os.getloadavg()
                start = time.perf_counter()
                video_id = ingest_file(user.id, period.id, clip, clip.name, move=False).id
                marks: dict[str, float] = {}
                while time.perf_counter() - start < 20 * duration:
                    video = db.session.get(Video, video_id, populate_existing=True)
                    db.session.commit()
                    moment = time.perf_counter() - start
                    if video.reviewable and "reviewable" not in marks:
                        marks["reviewable"] = moment
                        load_at_reviewable = os.getloadavg()
                    if video.transcoded and "transcoded" not in marks:
                        marks["transcoded"] = moment
                    if video.state == "failed":
                        raise SystemExit(f"failed: {video.error_code} {video.error_detail}")
                    if len(marks) == 2:
                        break
                    time.sleep(0.1)
                chunks = db.session.scalars(
                    db.select(TranscriptChunk).where(TranscriptChunk.video_id == video_id)
                ).all()
                print(
                    json.dumps(
                        {
                            "reviewable": marks["reviewable"] / duration,
                            "transcoded": marks["transcoded"] / duration,
                            "chunks": len(chunks),
                            "segments": len(video.segments),
                            "text": "".join(s.text for s in video.segments),
                            "load_before": load_before,
                            "load_at_reviewable": load_at_reviewable,
                        },
                        ensure_ascii=False,
                    )
                )
        finally:
            for proc in procs:
                os.killpg(proc.pid, signal.SIGTERM)
            for proc in procs:
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
            embedded.stop_redis(Path(instance) / "redis")


def _load(values: list[float]) -> str:
    return "/".join(f"{v:.1f}" for v in values)


def workers_report(clips: list[tuple[str, Path]], seconds: int, workers: int) -> None:
    """Print time to reviewable with N workers: one transcription job vs chunks, per clip."""
    from media.text import cer, normalize_for_cer
    from review.config import Config  # only its defaults: this process creates no app

    for label, clip in clips:
        runs = {}
        for mode, chunk_seconds in (
            ("one job (baseline)", 0.0),
            ("chunks", Config.TRANSCRIBE_CHUNK_SECONDS),
        ):
            r = measure_with_workers(clip, float(seconds), workers, chunk_seconds)
            runs[mode] = r
            print(
                f"{label}, {workers} workers, transcription as {mode}: reviewable at "
                f"{r['reviewable']:.3f}× duration, transcoded at {r['transcoded']:.3f}×, "
                f"{r['chunks']} chunk(s), load average before {_load(r['load_before'])}, "
                f"at reviewable {_load(r['load_at_reviewable'])}",
                flush=True,
            )
        one, many = runs["one job (baseline)"], runs["chunks"]
        distance = cer(normalize_for_cer(one["text"]), normalize_for_cer(many["text"]))
        print(
            f"{label}: chunks ÷ one job = {many['reviewable'] / one['reviewable']:.3f} "
            f"(time to reviewable); CER between the two transcripts {distance:.3f}",
            flush=True,
        )


def main() -> None:
    """Generate the clips, run the measurements and print the figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seconds", type=int, default=None)
    parser.add_argument("--reps", type=int, default=None, help="transcode repetitions (A/B pairs)")
    parser.add_argument("--keep", type=Path, default=None, help="cache folder for generated clips")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="worker processes (make run)"
    )
    parser.add_argument("--no-transcode-ratio", action="store_true")
    parser.add_argument("--clips", choices=("both", "fast", "hevc"), default="both")
    parser.add_argument("--in-process", action="store_true", help="also the one-worker run")
    parser.add_argument("--measure", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--chunk-seconds", type=float, default=-1.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure is not None:  # review.config must not be imported before the child's env
        _measure_child(args.measure, float(args.seconds), args.workers, args.chunk_seconds)
        return
    seconds = args.seconds or (60 if args.quick else 180)
    reps = args.reps or (1 if args.quick else 2)
    cache = args.keep or Path(tempfile.gettempdir()) / "huibao-bench"
    cache.mkdir(parents=True, exist_ok=True)
    speech = cache / f"speech-{seconds}.wav"
    if not speech.exists():
        make_speech(seconds, speech)
    fast = make_clip("h264", seconds, speech, cache / f"phone-{seconds}s-1080p.mp4")
    slow = cache / f"iphone-{seconds}s-1080p-hevc.mov"
    if args.clips != "fast":
        make_clip("hevc", seconds, speech, slow)
    print(
        f"clip: {seconds} s 1920x1080 30 fps, Mandarin speech; cpus={os.cpu_count()}; "
        f"load average {_load(list(os.getloadavg()))}",
        flush=True,
    )
    if not args.no_transcode_ratio:
        with tempfile.TemporaryDirectory() as work:
            ratio, ours, bare = transcode_ratio(fast, Path(work), reps)
        print(
            f"transcode (MP4+poster+WAV, one run) vs bare ffmpeg (MP4 only): "
            f"ours {[f'{s:.1f}' for s in ours]} s, bare {[f'{s:.1f}' for s in bare]} s, "
            f"ratio {ratio:.3f}",
            flush=True,
        )
    clips = [("fast path (H.264/AAC MP4)", fast), ("HEVC 10-bit .mov, rotated", slow)]
    clips = {"both": clips, "fast": clips[:1], "hevc": clips[1:]}[args.clips]
    workers_report(clips, seconds, args.workers)
    if not args.in_process:
        return
    for label, clip in clips:
        with tempfile.TemporaryDirectory() as instance:
            r = pipeline_times(clip, float(seconds), Path(instance))
        print(
            f"{label}, one in-process worker: reviewable at {r['reviewable']:.3f}× duration, "
            f"fully transcoded at {r['transcoded']:.3f}×, transcription RTF {r['rtf']:.3f}, "
            f"model load {r['model_load_s']:.1f} s (once per worker), steps "
            + ", ".join(f"{k} {v:.1f} s" for k, v in r["steps"].items())
        )


if __name__ == "__main__":
    main()
