"""How often the Party-term correction changes ordinary Chinese text (it should not).

    .venv/bin/python bench/term_refusals.py            # 6,000 strings of 4 common words
    .venv/bin/python bench/term_refusals.py --strings 20000 --seed 2

Ordinary text here is random runs of jieba's common words (frequency >= 300) and each common
word on its own: none of them is a misrecognised term, so every fix counted is a false one.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from importlib import resources
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from media.terms import correct_text

MIN_FREQ = 300


def main() -> None:
    """Print the share of words and of word strings that the correction changed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strings", type=int, default=6000)
    parser.add_argument("--words", type=int, default=4, help="words per string")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    words = []
    with resources.files("jieba").joinpath("dict.txt").open(encoding="utf-8") as fh:
        for line in fh:
            word, freq, *_ = line.split()
            if int(freq) >= MIN_FREQ:
                words.append(word)
    t0 = time.perf_counter()
    single = [(w, correct_text(w).text) for w in words if len(w) > 1]
    changed = [(w, t) for w, t in single if w != t]
    print(f"common words changed: {len(changed)} of {len(single)}  {changed[:10]}")
    rng = random.Random(args.seed)
    changed = []
    for _ in range(args.strings):
        text = "".join(rng.choice(words) for _ in range(args.words))
        fixed = correct_text(text)
        if fixed.fixes:
            changed.append((text, fixed.text))
    print(f"strings of {args.words} words changed: {len(changed)} of {args.strings}")
    for text, fixed in changed[:20]:
        print(f"  {text} -> {fixed}")
    print(f"{time.perf_counter() - t0:.1f}s")


if __name__ == "__main__":
    main()
