"""Time the paper-text diff of the version comparison against a plain character diff.

Usage: .venv/bin/python bench/revision_diff.py [--chars 20000] [--changes 30] [--repeat 3]

Builds a Chinese report of --chars characters in paragraphs (the paper limit is 20 000), makes
version 2 by changing --changes paragraphs (a few words inserted, deleted or replaced), then
times review.services.revisions.diff_html (lines matched first, then the characters of the
changed lines) and the baseline, one difflib.SequenceMatcher over all the characters with its
default autojunk, as a first version would write it. Prints both times and the ratio
baseline / ours, and how many changes each found.
"""

from __future__ import annotations

import argparse
import difflib
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from review.services.revisions import diff_html

WORDS = [
    "我认真学习了党章",
    "党的二十大报告",
    "全心全意为人民服务",
    "参加社区志愿服务",
    "以党员标准严格要求自己",
    "理论联系实际",
    "批评与自我批评",
    "密切联系群众",
    "请党组织考验",
]


def _report(chars: int, rng: random.Random) -> list[str]:
    lines, total = [], 0
    while total < chars:
        line = "，".join(rng.choice(WORDS) for _ in range(rng.randint(4, 9))) + "。"
        lines.append(line)
        total += len(line)
    return lines


def _revise(lines: list[str], changes: int, rng: random.Random) -> list[str]:
    out = list(lines)
    for index in rng.sample(range(len(out)), min(changes, len(out))):
        line = out[index]
        at = rng.randrange(len(line))
        out[index] = line[:at] + rng.choice(WORDS) + line[at + rng.randint(0, 4) :]
    return out


def _best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    """Run the benchmark and print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=20_000)
    parser.add_argument("--changes", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(12)
    lines = _report(args.chars, rng)
    old, new = "\n".join(lines), "\n".join(_revise(lines, args.changes, rng))

    def baseline() -> int:
        ops = difflib.SequenceMatcher(None, old, new).get_opcodes()
        return sum(tag != "equal" for tag, *_ in ops)

    ours = _best(lambda: diff_html(old, new), args.repeat)
    base = _best(baseline, args.repeat)
    html = str(diff_html(old, new))
    print(f"text: {len(old)} → {len(new)} characters, {len(lines)} lines, {args.changes} changed")
    print(
        f"diff_html (lines, then characters): {ours * 1000:8.1f} ms, "
        f"{html.count('<ins>') + html.count('<del>')} marks"
    )
    print(f"baseline (one character diff):      {base * 1000:8.1f} ms, {baseline()} changes")
    print(f"ratio baseline / ours: {base / ours:.1f}×")


if __name__ == "__main__":
    main()
