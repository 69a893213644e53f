"""Measure what the per-process Whisper model cache saves per transcription job.

    .venv/bin/python bench/model_cache.py [--engine faster-whisper] [--jobs 3] [--fork-check]

RQ's default Worker forks a work horse per job, so the cache in media.asr.registry lives and
dies with the horse: every job imports the engine and loads the model again ("forked" below).
A worker that runs jobs in its own process (rq SimpleWorker) loads once ("in-process").
`--fork-check` loads the model in the parent first and then forks, as a preloading worker would.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLIP = ROOT / "tests" / "data" / "oath.flac"


def _engine(job: dict):
    """Return the cached transcriber for the job's engine (loads it on first use)."""
    from media.asr.registry import get_transcriber

    if job["engine"] == "faster-whisper":
        return get_transcriber(
            "faster-whisper", None, cache_dir=job["cache"], device="cpu", compute_type="int8"
        )
    return get_transcriber("openai-whisper", job["checkpoint"], device="cpu")


def _transcribe(job: dict) -> dict:
    """One job as workers/jobs.transcribe_video runs it: get the engine, transcribe."""
    from media.asr import DOMAIN_PROMPT_ZH

    t0 = time.perf_counter()
    engine = _engine(job)
    t1 = time.perf_counter()
    engine.transcribe(
        str(CLIP), language="zh", beam_size=job["beam"], vad=True, initial_prompt=DOMAIN_PROMPT_ZH
    )
    return {"get_engine_s": t1 - t0, "job_s": time.perf_counter() - t0}


def _in_fork(job: dict, timeout: float) -> dict:
    """Run one job in a forked child (a work horse) and return its timings, or a hang."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        signal.alarm(int(timeout))
        result = _transcribe(job)
        os.write(write_fd, json.dumps(result).encode())
        os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if not data:
        return {"hung": True, "killed_after_s": timeout, "status": status}
    return json.loads(data)


def measure(job: dict) -> dict:
    """Forked jobs first (the parent still holds no model), then in-process jobs."""
    import media.asr.registry  # noqa: F401  (an RQ worker imports workers.jobs, hence media)

    out: dict = {"engine": job["engine"], "beam": job["beam"]}
    if job["fork_check"]:
        _transcribe(job)  # the parent loads (and uses) the model, then forks
        out["preloaded_fork"] = _in_fork(job, job["fork_timeout"])
        return out
    out["forked"] = [_in_fork(job, 3600) for _ in range(job["jobs"])]
    out["in_process"] = [_transcribe(job) for _ in range(job["jobs"])]
    forked = sum(r["job_s"] for r in out["forked"]) / job["jobs"]
    warm = out["in_process"][1:] or out["in_process"]
    cached = sum(r["job_s"] for r in warm) / len(warm)
    out.update(
        forked_job_s=forked,
        cached_job_s=cached,
        saved_per_job_s=forked - cached,
        load_s=out["in_process"][0]["get_engine_s"],
    )
    return out


def main(argv: list[str] | None = None) -> None:
    """Measure each engine in a fresh interpreter and print a summary."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--engine", action="append", choices=("faster-whisper", "openai-whisper"))
    parser.add_argument("--jobs", type=int, default=3)
    parser.add_argument("--beam", type=int, default=5, help="beam size (the product default is 5)")
    parser.add_argument("--cache", default=None, help="model cache directory")
    parser.add_argument("--fork-check", action="store_true")
    parser.add_argument("--fork-timeout", type=float, default=90.0)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(json.loads(sys.stdin.read()))))
        return
    from media.convert import bundled_checkpoint

    checkpoint = str(bundled_checkpoint(args.cache))
    for engine in args.engine or ["faster-whisper", "openai-whisper"]:
        job = {
            "engine": engine,
            "jobs": args.jobs,
            "beam": args.beam,
            "cache": args.cache,
            "checkpoint": checkpoint,
            "fork_check": args.fork_check,
            "fork_timeout": args.fork_timeout,
        }
        proc = subprocess.run(
            [sys.executable, __file__, "--child"],
            input=json.dumps(job),
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        if proc.returncode != 0:
            raise SystemExit(proc.stderr[-3000:])
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        if args.fork_check:
            print(
                f"{engine}: model loaded in the parent, job in a forked child: "
                f"{r['preloaded_fork']}"
            )
            continue
        forked = ", ".join(f"{x['job_s']:.1f}" for x in r["forked"])
        cached = ", ".join(f"{x['job_s']:.1f}" for x in r["in_process"])
        print(
            f"{engine} beam {args.beam} on {CLIP.name}: load {r['load_s']:.1f} s | "
            f"forked jobs {forked} s | in-process jobs {cached} s | "
            f"saved per job {r['saved_per_job_s']:.1f} s "
            f"({r['saved_per_job_s'] / r['forked_job_s']:.0%} of a forked job)"
        )


if __name__ == "__main__":
    main()
