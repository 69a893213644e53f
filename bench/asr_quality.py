"""CER of the bundled Whisper model per fixture and condition, with and without Party terms.

    .venv/bin/python bench/asr_quality.py                 # clean + phone, both hint settings
    .venv/bin/python bench/asr_quality.py --hotwords-chars 120 --threads 2

For each speech fixture of tests/data/texts.tsv and each condition (clean, and the phone-like
variant of bench/phone_audio.py), it transcribes with the product's defaults (faster-whisper,
int8, beam WHISPER_BEAM_SIZE, VAD, the domain prompt) once without and once with lexicon
hot-words, and prints the CER against the exact text before and after the term correction
(media.terms with the shipped lexicon). All figures come from the same run.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.phone_audio import make_phone_variant  # noqa: E402

DATA = ROOT / "tests" / "data"


def fixtures() -> list[tuple[str, str]]:
    """Return (file name, exact text) for each speech fixture."""
    with open(DATA / "texts.tsv", encoding="utf-8") as fh:
        return [(row["file"], row["text"]) for row in csv.DictReader(fh, delimiter="\t")]


def main() -> None:
    """Transcribe every fixture in every condition and print the CER table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hotwords-chars", type=int, default=80)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--beam", type=int, default=5)
    parser.add_argument("--show-text", action="store_true")
    parser.add_argument(
        "--raw-cache",
        type=Path,
        help="JSON file of recognised segments: read when present (no Whisper run), else written;"
        " for tuning the correction only, the figures to report come from a run without it",
    )
    args = parser.parse_args()
    cache: dict[str, list[str]] = {}
    if args.raw_cache and args.raw_cache.exists():
        cache = json.loads(args.raw_cache.read_text(encoding="utf-8"))

    from media.asr import DOMAIN_PROMPT_ZH
    from media.models import resolve_model
    from media.terms import correct_segments, hint_terms, shipped_terms
    from media.text import cer
    from media.transcribe import Transcriber, get_transcriber

    def engine() -> Transcriber:
        return get_transcriber(
            "faster-whisper",
            str(resolve_model(None, Path(tempfile.gettempdir()) / "huibao-bench-models")),
            device="cpu",
            cpu_threads=args.threads,
        )

    lexicon = shipped_terms()
    hotwords = "，".join(hint_terms(lexicon, args.hotwords_chars))
    hints = {"no hot-words": None, f"hot-words {args.hotwords_chars}": hotwords}
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in fixtures():
            clean = DATA / name
            phone = make_phone_variant(clean, Path(tmp) / f"{clean.stem}.m4a")
            for condition, path in (("clean", clean), ("phone", phone)):
                for hint, words in hints.items():
                    key = f"{name} {condition} {hint}"
                    t0 = time.perf_counter()
                    if key not in cache:
                        result = engine().transcribe(
                            path,
                            language="zh",
                            initial_prompt=DOMAIN_PROMPT_ZH,
                            hotwords=words,
                            vad=True,
                            beam_size=args.beam,
                        )
                        cache[key] = [s.text for s in result.segments]
                    wall = time.perf_counter() - t0
                    fixed = correct_segments(cache[key], lexicon)
                    raw, corrected = " ".join(cache[key]), "".join(c.text for c in fixed)
                    rows.append(
                        {
                            "fixture": name,
                            "condition": condition,
                            "hint": hint,
                            "raw": cer(text, raw),
                            "corrected": cer(text, corrected),
                            "fixes": sum(len(c.fixes) for c in fixed),
                            "wall": wall,
                            "text": corrected,
                        }
                    )
                    r = rows[-1]
                    print(
                        f"{name:20} {condition:6} {hint:14} CER raw {r['raw']:.3f}"
                        f"  corrected {r['corrected']:.3f}  fixes {r['fixes']:2}  {wall:5.1f}s",
                        flush=True,
                    )
                    if args.show_text:
                        print("    ", corrected)
    if args.raw_cache:
        args.raw_cache.write_text(json.dumps(cache, ensure_ascii=False, indent=1), "utf-8")
    print("\nmean CER over the fixtures")
    for condition in ("clean", "phone"):
        for hint in hints:
            sel = [r for r in rows if r["condition"] == condition and r["hint"] == hint]
            raw = sum(r["raw"] for r in sel) / len(sel)
            fixed = sum(r["corrected"] for r in sel) / len(sel)
            print(f"  {condition:6} {hint:14} raw {raw:.3f}  corrected {fixed:.3f}")


if __name__ == "__main__":
    main()
