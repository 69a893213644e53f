"""Benchmark faster-whisper against openai-whisper on the same weights: speed, memory, CER.

    .venv/bin/python bench/engines.py --quick          # one clip, three settings, < 2 minutes
    .venv/bin/python bench/engines.py --json out.json  # the full matrix (tens of minutes on CPU)
    .venv/bin/python bench/engines.py --device cuda    # float16 for both engines on a GPU
    .venv/bin/python bench/engines.py --clips long --only "beam5 vad=on"   # a slice of it

Every setting runs in its own process, so the peak RSS (VmHWM) belongs to that engine alone.
openai-whisper reads the bundled CTranslate2 model converted by media.convert (same weights).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
CLIPS = ("oath.flac", "oath_partial.flac", "report.flac")
LONG_REPEATS, LONG_GAP_S = 3, 1.0  # the three clips three times with 1 s of silence: ~3.2 min


@dataclass(frozen=True)
class Setting:
    """One engine configuration."""

    engine: str  # "faster-whisper" | "openai-whisper"
    compute: str  # faster-whisper compute type; openai-whisper runs float32 (float16 on CUDA)
    beam: int
    vad: bool

    @property
    def label(self) -> str:
        return f"{self.engine} {self.compute} beam{self.beam} vad={'on' if self.vad else 'off'}"


def settings(quick: bool, device: str) -> list[Setting]:
    """Return the settings to measure."""
    if device == "cuda":
        computes, openai_compute = ("float16", "int8_float16"), "float16"
    else:
        computes, openai_compute = ("int8", "float32"), "float32"
    if quick:
        return [
            Setting("faster-whisper", computes[0], 1, True),
            Setting("faster-whisper", computes[1], 1, True),
            Setting("openai-whisper", openai_compute, 1, True),
        ]
    grid = [(b, v) for b in (1, 5) for v in (True, False)]
    out = [Setting("faster-whisper", c, b, v) for c in computes for b, v in grid]
    return out + [Setting("openai-whisper", openai_compute, b, v) for b, v in grid]


def references() -> dict[str, str]:
    """Return the reference transcripts of tests/data."""
    rows = (DATA / "texts.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return dict(row.split("\t", 1) for row in rows)


def make_long_clip(out: Path) -> Path:
    """Concatenate the three clips (with silences) three times into one ~3-minute FLAC."""
    from media.ffmpeg_bin import run_ffmpeg

    inputs, labels = [], []
    for _ in range(LONG_REPEATS):
        for name in CLIPS:
            inputs += ["-i", str(DATA / name)]
    n = len(inputs) // 2
    graph = [f"anullsrc=r=16000:cl=mono:d={LONG_GAP_S}[s{i}]" for i in range(n)]
    for i in range(n):
        graph.append(f"[{i}:a]aresample=16000,aformat=channel_layouts=mono[a{i}]")
        labels += [f"[a{i}]", f"[s{i}]"]
    graph.append(f"{''.join(labels)}concat=n={2 * n}:v=0:a=1[out]")
    proc = run_ffmpeg(
        [
            "-y",
            *inputs,
            "-filter_complex",
            ";".join(graph),
            "-map",
            "[out]",
            "-c:a",
            "flac",
            str(out),
        ],
        timeout=120,
        nice=False,
        safe=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"ffmpeg failed: {proc.stderr[-500:]}")
    return out


def clip_set(quick: bool, workdir: Path, which: str = "all") -> list[dict]:
    """Return [{name, path, reference}] for the run: the short clips, the long one or all."""
    refs = references()
    if quick:
        return [
            {"name": "oath.flac", "path": str(DATA / "oath.flac"), "reference": refs["oath.flac"]}
        ]
    out = [{"name": n, "path": str(DATA / n), "reference": refs[n]} for n in CLIPS]
    if which == "short":
        return out
    long_ref = "".join(refs[n] for n in CLIPS) * LONG_REPEATS
    long_clip = {
        "name": "long_3min.flac",
        "reference": long_ref,
        "path": str(make_long_clip(workdir / "long_3min.flac")),
    }
    return [long_clip] if which == "long" else [*out, long_clip]


def peak_rss_mb() -> float:
    """Return this process's resident-set high-water mark in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_engine(setting: Setting, job: dict):
    """Build the transcriber for `setting` (in the child process)."""
    if setting.engine == "faster-whisper":
        from media.asr.faster import FasterWhisperTranscriber

        return FasterWhisperTranscriber(
            job["model_dir"],
            device=job["device"],
            compute_type=setting.compute,
            cpu_threads=job["threads"],
        )
    from media.asr.openai import OpenAIWhisperTranscriber

    return OpenAIWhisperTranscriber(
        job["checkpoint"], device=job["device"], cpu_threads=job["threads"]
    )


def worker(job: dict) -> dict:
    """Run one setting over all clips in this process; return timings, memory and CER."""
    from media.asr import DOMAIN_PROMPT_ZH
    from media.text import edit_distance, normalize_for_cer

    setting = Setting(**job["setting"])
    t0 = time.perf_counter()
    engine = load_engine(setting, job)
    load_s = time.perf_counter() - t0
    clips, edits, chars = [], 0, 0
    for clip in job["clips"]:
        cpu0, t0 = time.process_time(), time.perf_counter()
        result = engine.transcribe(
            clip["path"],
            language="zh",
            beam_size=setting.beam,
            vad=setting.vad,
            initial_prompt=DOMAIN_PROMPT_ZH if job["prompt"] else None,
        )
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        ref, hyp = normalize_for_cer(clip["reference"]), normalize_for_cer(result.text)
        dist = edit_distance(ref, hyp)
        edits, chars = edits + dist, chars + len(ref)
        clips.append(
            {
                "name": clip["name"],
                "audio_s": result.duration,
                "wall_s": wall,
                "cpu_s": cpu,
                "cer": dist / len(ref),
                "text": result.text,
            }
        )
    audio = sum(c["audio_s"] for c in clips)
    wall = sum(c["wall_s"] for c in clips)
    return {
        "setting": asdict(setting),
        "load_s": load_s,
        "audio_s": audio,
        "wall_s": wall,
        "cpu_s": sum(c["cpu_s"] for c in clips),
        "speed_x": audio / wall,
        "peak_rss_mb": peak_rss_mb(),
        "cer": edits / chars,
        "clips": clips,
    }


def run_in_children(job: dict, workers: int = 1) -> dict:
    """Run `worker(job)` in `workers` fresh interpreters at once; merge their results.

    With several workers, `speed_x` is the machine's throughput: all audio over the longest
    worker's transcription time (they run side by side; model loading is left out as for one);
    `batch_wall_s` runs from the first spawn to the last exit.
    """
    cmd = [sys.executable, __file__, "--worker"]
    started = time.perf_counter()
    procs = [
        subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=ROOT,
        )
        for _ in range(workers)
    ]
    for proc in procs:  # hand every worker its job before waiting on any of them
        proc.stdin.write(json.dumps(job))
        proc.stdin.close()
    outputs = [p.stdout.read() for p in procs]  # the result is the last line
    for proc in procs:
        proc.wait()
    batch_wall = time.perf_counter() - started  # spawn to last exit: imports and loads too
    results = []
    for proc, out in zip(procs, outputs, strict=True):
        if proc.returncode != 0:
            raise SystemExit(f"{job['setting']} failed:\n{out[-3000:]}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    if workers == 1:
        return dict(results[0], batch_wall_s=batch_wall)
    merged = dict(results[0], workers=workers, per_worker=results, batch_wall_s=batch_wall)
    merged.update(
        audio_s=sum(r["audio_s"] for r in results),
        wall_s=max(r["wall_s"] for r in results),
        cpu_s=sum(r["cpu_s"] for r in results),
        peak_rss_mb=sum(r["peak_rss_mb"] for r in results),
        cer=sum(r["cer"] for r in results) / workers,
    )
    merged["speed_x"] = merged["audio_s"] / merged["wall_s"]
    return merged


def prepare_models(cache: Path | None) -> tuple[Path, Path]:
    """Return the bundled CTranslate2 directory and its openai-whisper checkpoint."""
    from media.convert import bundled_checkpoint
    from media.models import bundled_model_dir

    return bundled_model_dir(cache), bundled_checkpoint(cache)


def print_table(results: list[dict]) -> None:
    """Print one row per setting, then faster-whisper/openai-whisper ratios."""
    head = (
        f"{'setting':<44}{'load s':>7}{'audio s':>8}{'wall s':>8}{'×RT':>7}{'cpu s':>7}"
        f"{'×RT/cpu':>8}{'RSS MiB':>9}{'CER':>7}"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        print(
            f"{Setting(**r['setting']).label:<44}{r['load_s']:>7.1f}{r['audio_s']:>8.1f}"
            f"{r['wall_s']:>8.1f}{r['speed_x']:>7.2f}{r['cpu_s']:>7.1f}"
            f"{r['audio_s'] / r['cpu_s']:>8.2f}{r['peak_rss_mb']:>9.0f}"
            f"{r['cer']:>7.3f}"
        )
    print("\nratios faster-whisper / openai-whisper (same beam, same VAD):")
    openai = {
        (r["setting"]["beam"], r["setting"]["vad"]): r
        for r in results
        if r["setting"]["engine"] == "openai-whisper"
    }
    for r in results:
        s = r["setting"]
        base = openai.get((s["beam"], s["vad"]))
        if s["engine"] != "faster-whisper" or base is None:
            continue
        print(
            f"  {Setting(**s).label:<44} speed ×{r['speed_x'] / base['speed_x']:.2f}  "
            f"cpu ×{r['cpu_s'] / base['cpu_s']:.2f}  "
            f"RSS ×{r['peak_rss_mb'] / base['peak_rss_mb']:.2f}  "
            f"CER {r['cer']:.3f} vs {base['cer']:.3f}"
        )


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run every setting in a child process and print the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="oath.flac only, three greedy settings"
    )
    parser.add_argument(
        "--clips",
        default="all",
        choices=("all", "short", "long"),
        help="the three test clips, the generated 3-minute clip, or both",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="run only settings whose label contains this (repeatable)",
    )
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    parser.add_argument(
        "--threads", type=int, default=os.cpu_count() or 1, help="threads per engine"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="run this many engine processes at once (throughput per machine)",
    )
    parser.add_argument("--no-prompt", action="store_true", help="without the glossary prompt")
    parser.add_argument("--cache", type=Path, default=None, help="model cache directory")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(json.loads(sys.stdin.read())), ensure_ascii=False))
        return
    model_dir, checkpoint = prepare_models(args.cache)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="huibao-bench-") as tmp:
        clips = clip_set(args.quick, Path(tmp), args.clips)
        results = []
        for setting in settings(args.quick, args.device):
            if args.only and not any(part in setting.label for part in args.only):
                continue
            job = {
                "setting": asdict(setting),
                "clips": clips,
                "device": args.device,
                "threads": args.threads,
                "prompt": not args.no_prompt,
                "model_dir": str(model_dir),
                "checkpoint": str(checkpoint),
            }
            results.append(run_in_children(job, args.workers))
            r = results[-1]
            print(
                f"  done: {setting.label}: {r['audio_s']:.1f} s of audio transcribed in "
                f"{r['wall_s']:.1f} s, {r['batch_wall_s']:.1f} s with start-up and loading",
                file=sys.stderr,
            )
            if args.json:  # keep what is measured so far
                args.json.write_text(
                    json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8"
                )
    print(
        f"device={args.device} threads={args.threads} workers={args.workers} "
        f"prompt={not args.no_prompt} "
        f"clips={','.join(c['name'] for c in clips)} total={time.perf_counter() - started:.0f}s"
    )
    print_table(results)


if __name__ == "__main__":
    main()
