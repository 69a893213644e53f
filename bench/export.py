"""Time the committee exports of a period of 2 000 double-marked activists.

Usage: .venv/bin/python bench/export.py [--activists 2000] [--branches 20] [--pdf 50]

Seeds a temporary SQLite database (created from the models, thrown away afterwards), then
times: collecting the rows, the XLSX workbook, the CSV, and (a sample of) PDF assessment sheets.
"""

from __future__ import annotations

import argparse
import io
import random
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
        User,
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
    for n in range(n_activists):
        branch = branches[n % n_branches]
        user = User(
            username=f"2026{n:05d}",
            name=f"积极分子{n}号",
            role="activist",
            branch_id=branch.id,
            password_hash=hashed,
        )
        submission = Submission(
            activist=user, period_id=period.id, branch_id=branch.id, state="reviewed"
        )
        version = SubmissionVersion(
            number=1,
            paper_kind="text",
            paper_text="思想汇报" * 50,
            submitted_at=now - timedelta(days=5),
        )
        submission.versions.append(version)
        db.session.add(submission)
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
    """Seed, then time each export and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activists", type=int, default=2000)
    parser.add_argument("--branches", type=int, default=20)
    parser.add_argument("--pdf", type=int, default=50, help="PDF sheets to time (a sample)")
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
            report(period_id, args.pdf)
            db.session.remove()
            db.engine.dispose()


def report(period_id: int, n_pdf: int) -> None:
    """Time each export step and print it."""
    from review.services.exports.csv import csv_bytes
    from review.services.exports.pdf import assessment_pdf
    from review.services.exports.rows import build_table
    from review.services.exports.xlsx import write_xlsx

    t0 = time.perf_counter()
    table = build_table(period_id)
    t1 = time.perf_counter()
    out = io.BytesIO()
    write_xlsx(table, out)
    t2 = time.perf_counter()
    data = csv_bytes(build_table(period_id))
    t3 = time.perf_counter()
    ids = [r.submission_id for r in table.rows[:n_pdf]]
    for sid in ids:
        assessment_pdf(sid)
    t4 = time.perf_counter()
    print(
        f"rows:          {t1 - t0:6.2f} s  ({len(table.rows)} rows, {len(table.header())} columns)"
    )
    print(
        f"xlsx total:    {t2 - t0:6.2f} s  ({len(out.getvalue()) / 1e6:.1f} MB; "
        f"writing alone {t2 - t1:.2f} s)"
    )
    print(f"csv total:     {t3 - t2:6.2f} s  ({len(data) / 1e6:.1f} MB, rows included)")
    if ids:
        per = (t4 - t3) / len(ids)
        print(
            f"pdf:           {per * 1000:6.0f} ms per sheet ({len(ids)} timed; "
            f"~{per * len(table.rows):.0f} s for all {len(table.rows)} in a ZIP)"
        )
    print("command: .venv/bin/python bench/export.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
