"""Time the reminder scan with thousands of activists: the first scan, and the repeats.

Usage: .venv/bin/python bench/reminder_scan.py [--activists 3000] [--repeats 3]
With DATABASE_URL=postgresql://... set, the same run is repeated on a throwaway PostgreSQL database.

Seeds a temporary SQLite database (created by the migrations) with activists in 20 branches, one
reviewer per branch and a committee member, and a period closing in 3 days; a third of the
activists have submitted a reviewable report the day before. Then `reminders.run_due` runs at the
same moment: the first scan writes every reminder (period opened, 3-day deadline, digests); the
repeats find everything written and must write nothing. Printed: wall time, outbox rows written
and SQL statements of each, and the ratio of a repeat to the first scan; and the same repeat
without the scan's look-up of what the outbox already holds (every notify() call then finds its
row by itself), to show what that look-up saves. All figures come from the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa

from review import create_app
from review.config import TestConfig
from review.extensions import db

BRANCHES = 20


def _bulk(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), 5000):
        db.session.execute(sa.insert(model), rows[start : start + 5000])


def seed(n: int) -> datetime:
    """Insert the people and reports; return the scan's moment (3 days before the deadline)."""
    from review.models import Branch, Submission, SubmissionVersion, User, Video
    from review.services.periods import open_period

    now = datetime.now(UTC)
    period = open_period("2026年第四季度", now - timedelta(days=20), now + timedelta(days=3))
    _bulk(Branch, [{"name": f"第{i + 1}党支部"} for i in range(BRANCHES)])
    branches = list(db.session.scalars(sa.select(Branch).order_by(Branch.id)))
    hashed = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$" + "A" * 22
    first = (db.session.scalar(sa.select(sa.func.max(User.id))) or 0) + 1
    people = [
        {
            "id": first + i,
            "username": f"2026{i:05d}",
            "name": f"积极分子{i}号",
            "role": "activist",
            "branch_id": branches[i % BRANCHES].id,
            "password_hash": hashed,
            "created_at": now,
        }
        for i in range(n)
    ]
    _bulk(User, people)
    for k, branch in enumerate(branches):
        reviewer = User(username=f"T{k:04d}", name=f"审阅人{k}", role="reviewer")
        reviewer.password_hash, reviewer.reviewer_of = hashed, [branch]
        db.session.add(reviewer)
    db.session.add(User(username="C0001", name="张书记", role="committee", password_hash=hashed))
    done = [i for i in range(n) if i % 3 == 0]
    video = {"state": "ready", "stage": "done", "progress": {}, "flags": [], "attempts": 0}
    _bulk(
        Video,
        [
            {
                **video,
                "id": k + 1,
                "owner_id": first + i,
                "period_id": period.id,
                "reviewable": True,
                "original_path": f"videos/{i}/original.mp4",
                "sha256": "0" * 64,
                "size_bytes": 1000,
                "created_at": now,
                "updated_at": now,
            }
            for k, i in enumerate(done)
        ],
    )
    _bulk(
        Submission,
        [
            {
                "id": k + 1,
                "activist_id": first + i,
                "period_id": period.id,
                "branch_id": people[i]["branch_id"],
                "state": "submitted",
                "created_at": now,
                "updated_at": now,
            }
            for k, i in enumerate(done)
        ],
    )
    from review.services.digests import digest_moment

    moment = period.closes_at - timedelta(days=3)
    submitted = digest_moment(moment) - timedelta(hours=2)  # in the reviewers' digest of the day
    _bulk(
        SubmissionVersion,
        [
            {
                "submission_id": k + 1,
                "number": 1,
                "video_id": k + 1,
                "paper_kind": "text",
                "paper_text": "思想汇报",
                "typed_text": "",
                "submitted_at": submitted,
                "created_at": now,
            }
            for k in range(len(done))
        ],
    )
    db.session.commit()
    return moment


def _scan(moment: datetime) -> tuple[float, int, int]:
    """Run the scan once; return (wall seconds, outbox rows written, SQL statements)."""
    from review.services import reminders

    statements: list[str] = []
    listener = lambda *a: statements.append(a[2])  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    started = time.perf_counter()
    result = reminders.run_due(moment)
    wall = time.perf_counter() - started
    sa.event.remove(db.engine, "before_cursor_execute", listener)
    db.session.expire_all()
    return wall, result.written, len(statements)


def run(url: str, instance: Path, args: argparse.Namespace) -> None:
    """Seed one database and time the scans on it."""
    from review.services import reminders

    settings = {
        "SQLALCHEMY_DATABASE_URI": url,
        "INSTANCE_DIR": instance,
        "MEDIA_ROOT": instance / "media",
        "TESTING": False,
    }
    app = create_app(type("BenchConfig", (TestConfig,), settings))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(revision="heads")
        moment = seed(args.activists)
        print(f"{db.engine.dialect.name}: {args.activists} activists, {BRANCHES} branches")
        first, written, sql = _scan(moment)
        print(f"  first scan      {first:7.2f} s  {written:6d} rows written  {sql:6d} SQL")
        repeats = [_scan(moment) for _ in range(args.repeats)]
        again = statistics.median(r[0] for r in repeats)
        assert all(r[1] == 0 for r in repeats), "a repeated scan wrote rows"
        print(
            f"  repeat (median) {again:7.2f} s  {repeats[0][1]:6d} rows written"
            f"  {repeats[0][2]:6d} SQL   {again / first:4.2f}× the first scan"
        )
        lookup = reminders._already
        reminders._already = lambda kind, key: set()  # every notify() finds its row alone
        try:
            plain = [_scan(moment) for _ in range(args.repeats)]
        finally:
            reminders._already = lookup
        slow = statistics.median(r[0] for r in plain)
        print(
            f"  repeat, no look-up {slow:7.2f} s  {plain[0][1]:6d} rows written"
            f"  {plain[0][2]:6d} SQL   {slow / first:4.2f}× the first scan,"
            f" {slow / again:4.1f}× the repeat with it"
        )
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    """Parse the options and run on SQLite, then on PostgreSQL when configured."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activists", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print("command:", " ".join([Path(sys.executable).name, *sys.argv]))
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{tmp}/bench.sqlite3", Path(tmp) / "instance", args)
        base = os.environ.get("DATABASE_URL")
        if base:
            name = f"huibao_bench_{uuid.uuid4().hex[:8]}"
            admin_url = sa.make_url(base.replace("postgres://", "postgresql://", 1)).set(
                drivername="postgresql+psycopg"
            )
            admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
            try:
                run(
                    admin_url.set(database=name).render_as_string(hide_password=False),
                    Path(tmp) / "instance-pg",
                    args,
                )
            finally:
                with admin.connect() as conn:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


if __name__ == "__main__":
    main()
