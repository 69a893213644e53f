"""Time the committee exports of a period of 2 000 double-marked activists, old path and new.

Usage: .venv/bin/python bench/export.py [--activists 2000] [--branches 20] [--old-sheets 100]
       [--baseline fe3d2d2]

Seeds a temporary SQLite database (created from the models, thrown away afterwards), then
times: collecting the rows, the XLSX workbook, the CSV, the whole ZIP (workbook, one PDF
assessment sheet, paper text and transcript per activist). The old path is the exports code of
the --baseline commit, read with `git show` and run in the same process on the same data: its
workbook in full, its sheets on a sample of --old-sheets (one sheet read and drawn at a time,
as its ZIP did), extrapolated to all of them. Ratios are old / new.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from review import create_app
from review.config import TestConfig
from review.extensions import db


def seed(n_activists: int, n_branches: int) -> int:
    """Insert branches, reviewers, activists and submissions with two reviews; return the period."""
    from review.models import (
        AgreedMark,
        Branch,
        Comment,
        Decision,
        Review,
        Score,
        Submission,
        SubmissionVersion,
        TranscriptSegment,
        User,
        Video,
        reviewer_branches,
    )
    from review.services.periods import open_period

    rng = random.Random(7)
    period = open_period(
        "2026年第四季度",
        date.today() - timedelta(days=30),
        date.today() + timedelta(days=30),
        double_marking=True,
    )
    criteria = [c.id for c in period.rubric_version.criteria]
    hashed = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$" + "A" * 22  # never used to log in
    branches = [Branch(name=f"第{i + 1}党支部") for i in range(n_branches)]
    db.session.add_all(branches)
    db.session.flush()
    reviewers = []
    for i, branch in enumerate(branches):
        for k in range(2):
            reviewer = User(
                username=f"T{i:03d}{k}",
                name=f"审阅人{i}-{k}",
                role="reviewer",
                password_hash=hashed,
            )
            db.session.add(reviewer)
            reviewers.append((branch, reviewer))
    db.session.flush()
    db.session.execute(
        reviewer_branches.insert(), [{"user_id": r.id, "branch_id": b.id} for b, r in reviewers]
    )
    now = datetime.now(UTC)
    users = [
        User(
            username=f"2026{n:05d}",
            name=f"积极分子{n}号",
            role="activist",
            branch_id=branches[n % n_branches].id,
            password_hash=hashed,
        )
        for n in range(n_activists)
    ]
    db.session.add_all(users)
    db.session.flush()
    spoken = ["我志愿加入中国共产党", "拥护党的纲领", "遵守党的章程"] * 3
    for n, user in enumerate(users):
        video = Video(
            owner_id=user.id,
            period_id=period.id,
            state="ready",
            original_path=f"videos/{n}/original.mp4",
            sha256="0" * 64,
            size_bytes=1000,
            duration=60.0,
        )
        video.segments = [
            TranscriptSegment(position=i, start=i * 6.0, end=i * 6.0 + 5.5, text=t, original_text=t)
            for i, t in enumerate(spoken)
        ]
        submission = Submission(
            activist=user, period_id=period.id, branch_id=user.branch_id, state="reviewed"
        )
        submission.versions.append(
            SubmissionVersion(
                video=video,
                number=1,
                paper_kind="text",
                paper_text="关于本季度学习的思想汇报\n敬爱的党组织：\n" + "思想汇报" * 50,
                submitted_at=now - timedelta(days=5),
            )
        )
        db.session.add_all([video, submission])
        if n % 200 == 199:
            db.session.flush()
    db.session.flush()
    versions = db.session.execute(
        db.select(SubmissionVersion.id, Submission.branch_id).join(
            Submission, Submission.id == SubmissionVersion.submission_id
        )
    ).all()
    by_branch = {}
    for b, r in reviewers:
        by_branch.setdefault(b.id, []).append(r.id)
    for version_id, branch_id in versions:
        base = [rng.randint(10, 19) for _ in criteria]
        for k, reviewer_id in enumerate(by_branch[branch_id]):
            points = [min(20, max(0, p + rng.randint(-3, 3))) for p in base]
            review = Review(
                reviewer_id=reviewer_id,
                version_id=version_id,
                rubric_version_id=period.rubric_version_id,
                state="submitted",
                submitted_at=now - timedelta(days=2, minutes=k),
                overall_comment="整体较好。",
            )
            review.scores = [
                Score(criterion_id=c, points=p) for c, p in zip(criteria, points, strict=True)
            ]
            review.comments = [Comment(at_seconds=12.0, text="语速适中")]
            db.session.add(review)
        decision = Decision(version_id=version_id, outcome="pass", comment="继续努力。")
        decision.marks = [
            AgreedMark(criterion_id=c, points=p) for c, p in zip(criteria, base, strict=True)
        ]
        db.session.add(decision)
    db.session.commit()
    return period.id


def main() -> None:
    """Seed, then time each export, old and new, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activists", type=int, default=2000)
    parser.add_argument("--branches", type=int, default=20)
    parser.add_argument("--old-sheets", type=int, default=100, help="old sheets to time")
    parser.add_argument("--baseline", default="fe3d2d2", help="commit of the old exports code")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
            "REDIS_URL": "redis://127.0.0.1:1/0",
            "INSTANCE_DIR": Path(tmp),
            "MEDIA_ROOT": Path(tmp) / "media",
            "RATELIMIT_ENABLED": False,
        }
        app = create_app(type("BenchConfig", (TestConfig,), settings))
        with app.app_context(), app.test_request_context():
            db.create_all()
            started = time.perf_counter()
            period_id = seed(args.activists, args.branches)
            print(
                f"seeded {args.activists} activists, {2 * args.activists} reviews in "
                f"{time.perf_counter() - started:.1f} s"
            )
            db.session.expire_all()
            report(period_id, args.old_sheets, args.baseline)
            db.session.remove()
            db.engine.dispose()


def old_module(baseline: str, name: str):
    """Load review/services/exports/<name>.py as it was at the baseline commit."""
    root = Path(__file__).resolve().parents[1]
    source = subprocess.run(
        ["git", "show", f"{baseline}:review/services/exports/{name}.py"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    spec = importlib.util.spec_from_loader(f"baseline_{name}", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    exec(compile(source, f"{baseline}:{name}.py", "exec"), module.__dict__)
    return module


def cpu() -> float:
    """Return the CPU seconds of this process and its reaped children (the PDF pool)."""
    me, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn, *args):
    """Return (wall seconds, CPU seconds, result) of one call."""
    wall, used = time.perf_counter(), cpu()
    result = fn(*args)
    return time.perf_counter() - wall, cpu() - used, result


def report(period_id: int, old_sheets: int, baseline: str) -> None:
    """Time each export step, old and new, and print it (wall time, and CPU time in brackets:
    on a shared machine the wall time also counts the other processes' turns)."""
    from review.services.exports.csv import csv_bytes
    from review.services.exports.pdf import render_sheet
    from review.services.exports.rows import build_table
    from review.services.exports.sheet import load_sheets
    from review.services.exports.xlsx import write_xlsx
    from review.services.exports.zip import write_zip

    old_xlsx, old_pdf = old_module(baseline, "xlsx"), old_module(baseline, "pdf")
    t_rows, c_rows, table = timed(build_table, period_id)
    n = len(table.rows)
    cols = len(table.header())
    print(f"rows:        {t_rows:6.2f} s [cpu {c_rows:5.2f}]  ({n} rows, {cols} columns)")
    new_out, old_out = io.BytesIO(), io.BytesIO()
    t_new, c_new, _ = timed(write_xlsx, table, new_out)
    t_old, c_old, _ = timed(old_xlsx.write_xlsx, table, old_out)
    print(
        f"xlsx write:  {t_new:6.2f} s [cpu {c_new:5.2f}]  ({len(new_out.getvalue()) / 1e6:.2f} MB);"
        f" old {t_old:.2f} s [cpu {c_old:.2f}]; ratio {t_old / t_new:.1f}x"
        f" [cpu {c_old / c_new:.1f}x]"
    )
    t_csv, c_csv, data = timed(lambda: csv_bytes(build_table(period_id)))
    print(
        f"csv total:   {t_csv:6.2f} s [cpu {c_csv:5.2f}]  ({len(data) / 1e6:.2f} MB, rows included)"
    )
    sample = [r.submission_id for r in table.rows[:old_sheets]]
    t_sample, c_sample, _ = timed(lambda: [old_pdf.assessment_pdf(sid) for sid in sample])
    zipped = io.BytesIO()
    t_zip, c_zip, manifest = timed(write_zip, period_id, None, zipped, None, table)
    old_zip = t_sample / len(sample) * n + t_old
    old_cpu = c_sample / len(sample) * n + c_old
    print(
        f"zip:         {t_zip:6.2f} s [cpu {c_zip:5.2f}]  ({len(manifest['files'])} files, "
        f"{len(zipped.getvalue()) / 1e6:.1f} MB; {t_zip / n * 1000:.0f} ms per activist)"
    )
    print(
        f"old zip:    ~{old_zip:6.1f} s [cpu ~{old_cpu:5.1f}]"
        f"  ({t_sample / len(sample) * 1000:.0f} ms per sheet, {len(sample)} timed,"
        f" extrapolated to {n}); "
        f"ratio {old_zip / t_zip:.1f}x [cpu {old_cpu / c_zip:.1f}x]"
    )
    # After the ZIP, whose pool starts as a fresh worker's does (glyphs not yet read).
    sheets = list(load_sheets(sample))
    t_draw, c_draw, _ = timed(lambda: [render_sheet(s) for s in sheets])
    per, per_cpu = t_draw / len(sheets) * 1000, c_draw / len(sheets) * 1000
    print(
        f"sheet:       {per:6.2f} ms [cpu {per_cpu:5.2f}]  (one PDF drawn in this process,"
        f" {len(sheets)} timed)"
    )
    after = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"cores: {os.cpu_count()}, load average before: {LOAD}, after: {after}")
    print("command: .venv/bin/python bench/export.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    LOAD = " ".join(f"{x:.1f}" for x in os.getloadavg())
    main()
