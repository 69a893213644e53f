"""Cost of the hostile paper files of tests/activist/bombs.py to the calling (web) process.

    PYTHONPATH=$PWD python bench/paper_bombs.py            # through media.sandbox (now)
    PYTHONPATH=$PWD python bench/paper_bombs.py --inline   # parsed in this process

Each case runs in a fresh interpreter so that ru_maxrss is the case's own peak. Figures of
2026-12-02 (2 shared cores) are in the closing note of issue 11.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys

CASES = {
    "docx 400 MB image part": "docx_bomb(400)",
    "pdf 10 MB of text operators": "pdf_bomb(10)",
    "pdf 5 MB of text operators": "pdf_bomb(5)",
    "png 7740x7740": "png_bomb(7740)",
}


def _one(expr: str, inline: bool) -> dict:
    from media import images, sandbox
    from media.documents import extract_text
    from tests.activist import bombs

    data = eval(expr, vars(bombs))  # our own table above
    is_png = expr.startswith("png")
    before = resource.getrusage(resource.RUSAGE_SELF)
    try:
        if inline:
            (images.clean_photo if is_png else extract_text)(data)
        else:
            (sandbox.parse_photo if is_png else sandbox.parse_document)(data)
        outcome = "accepted"
    except Exception as exc:  # noqa: BLE001 - the outcome is what we report
        outcome = f"{type(exc).__name__}: {str(exc)[:70]}"
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    cpu = me.ru_utime + me.ru_stime - before.ru_utime - before.ru_stime
    return {
        "bytes": len(data),
        "caller_peak_mb": me.ru_maxrss // 1024,
        "caller_cpu_s": round(cpu, 2),
        "child_peak_mb": kids.ru_maxrss // 1024,
        "child_cpu_s": round(kids.ru_utime + kids.ru_stime, 2),
        "outcome": outcome,
    }


def main() -> None:
    """Print one JSON line per case."""
    inline = "--inline" in sys.argv
    if "--case" in sys.argv:
        print(json.dumps(_one(sys.argv[sys.argv.index("--case") + 1], inline)))
        return
    for name, expr in CASES.items():
        args = [sys.executable, __file__, "--case", expr] + (["--inline"] if inline else [])
        out = subprocess.run(args, capture_output=True, text=True, check=False).stdout.strip()
        print(json.dumps({"case": name, **json.loads(out or "{}")}, ensure_ascii=False))


if __name__ == "__main__":
    main()
