"""Time the review page's server side with 10 000 submissions in the database.

Usage: .venv/bin/python bench/review_page.py [--submissions 10000] [--segments 40] [--requests 200]
With DATABASE_URL=postgresql://... set, the same run is repeated on a throwaway PostgreSQL database.

Seeds a temporary SQLite database (created by the migrations, thrown away afterwards) with bulk
inserts: activists in 20 branches, one submitted version each with a ready video, its transcript
segments and a paper text, a third of them with a submitted review. Then a reviewer requests one
review page N times through the test client (the full Flask stack: session, access check, claim,
audit insert, template) and the median / p95 of the wall time of each request is printed, with
its CPU time (less sensitive to a busy machine), the number of SQL statements per request and
the ratio to a baseline page (the password form) timed the same way in the same process. The
queue page (its first page) and the API's list (100 a page) are timed the same way, the
committee's dashboard of the period as a committee member, and last the committee's release
list (after adding second reviews and decisions for it to sort).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa

from review import create_app
from review.config import TestConfig
from review.extensions import db

PASSWORD = "bench-password-1"
BRANCHES = 20


def _bulk(model, rows: list[dict]) -> None:
    """Insert rows in chunks with executemany (no ORM objects)."""
    for start in range(0, len(rows), 5000):
        db.session.execute(sa.insert(model), rows[start : start + 5000])


def seed(n: int, segments: int) -> tuple[int, int]:
    """Insert the data; return (a submission id of branch 1 without a review, its reviewer's id)."""
    from review.models import (
        Branch,
        Comment,
        Review,
        Score,
        Submission,
        SubmissionVersion,
        TranscriptSegment,
        User,
        Video,
    )
    from review.services import accounts
    from review.services.periods import open_period

    period = open_period(
        "2026年第四季度", date.today() - timedelta(days=30), date.today() + timedelta(days=30)
    )
    criteria = [c.id for c in period.rubric_version.criteria]
    _bulk(Branch, [{"name": f"第{i + 1}党支部"} for i in range(BRANCHES)])
    branch_ids = list(db.session.scalars(sa.select(Branch.id).order_by(Branch.id)))
    reviewer = accounts.create_user("T0001", "王老师", "reviewer", PASSWORD, ["第1党支部"])
    now, hashed = datetime.now(UTC), "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$" + "A" * 22
    first_user = (db.session.scalar(sa.select(sa.func.max(User.id))) or 0) + 1
    _bulk(
        User,
        [
            {
                "id": first_user + i,
                "username": f"2026{i:05d}",
                "name": f"积极分子{i}号",
                "role": "activist",
                "branch_id": branch_ids[i % BRANCHES],
                "password_hash": hashed,
                "created_at": now,
            }
            for i in range(n)
        ],
    )
    _bulk(
        Video,
        [
            {
                "id": i + 1,
                "owner_id": first_user + i,
                "period_id": period.id,
                "state": "ready",
                "stage": "done",
                "progress": {},
                "flags": [],
                "reviewable": True,
                "attempts": 0,
                "original_path": f"videos/{i}/original.mp4",
                "sha256": "0" * 64,
                "size_bytes": 10_000_000,
                "duration": 180.0,
                "probe": {"has_audio": True},
                "playable_path": f"videos/{i}/playable.mp4",
                "transcoded": True,
                "poster_path": f"videos/{i}/poster.jpg",
                "vtt_path": f"videos/{i}/transcript.vtt",
                "transcript_engine": "faster-whisper:base",
                "created_at": now,
                "updated_at": now,
            }
            for i in range(n)
        ],
    )
    line = "我志愿加入中国共产党，拥护党的纲领，遵守党的章程，履行党员义务。"
    _bulk(
        TranscriptSegment,
        [
            {
                "video_id": v + 1,
                "position": k,
                "start": k * 4.0,
                "end": k * 4.0 + 3.8,
                "text": line,
                "original_text": line,
            }
            for v in range(n)
            for k in range(segments)
        ],
    )
    _bulk(
        Submission,
        [
            {
                "id": i + 1,
                "activist_id": first_user + i,
                "period_id": period.id,
                "branch_id": branch_ids[i % BRANCHES],
                "state": "reviewed" if i % 3 == 0 else "submitted",
                "created_at": now,
                "updated_at": now,
            }
            for i in range(n)
        ],
    )
    _bulk(
        SubmissionVersion,
        [
            {
                "id": i + 1,
                "submission_id": i + 1,
                "number": 1,
                "video_id": i + 1,
                "paper_kind": "text",
                "paper_text": "思想汇报正文。" * 300,
                "submitted_at": now - timedelta(days=i % 20, minutes=i),
                "created_at": now,
            }
            for i in range(n)
        ],
    )
    reviewed = [i for i in range(n) if i % 3 == 0]
    _bulk(
        Review,
        [
            {
                "id": k + 1,
                "reviewer_id": reviewer.id,
                "version_id": i + 1,
                "rubric_version_id": period.rubric_version_id,
                "state": "submitted",
                "overall_comment": "整体较好。",
                "revision": 3,
                "submitted_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for k, i in enumerate(reviewed)
        ],
    )
    _bulk(
        Score,
        [
            {"review_id": k + 1, "criterion_id": c, "points": 15, "note": ""}
            for k in range(len(reviewed))
            for c in criteria
        ],
    )
    _bulk(
        Comment,
        [
            {
                "review_id": k + 1,
                "at_seconds": 12.0,
                "text": "语速适中",
                "visible_to_activist": False,
                "created_at": now,
            }
            for k in range(len(reviewed))
        ],
    )
    if db.engine.dialect.name == "postgresql":  # ids were given explicitly: move the sequences on
        for table in ("users", "videos", "submissions", "submission_versions", "reviews"):
            db.session.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            )
    db.session.commit()
    target = (n // 2 // BRANCHES) * BRANCHES + 1  # branch 1, half-way through, i % 3 != 0
    while (target - 1) % 3 == 0:
        target += BRANCHES
    return target, reviewer.id


def _time(client, url: str, requests: int) -> tuple[list[float], list[float], int]:
    """Request url `requests` times; return wall and CPU times in ms and statements per request."""
    statements: list[str] = []
    for _ in range(5):  # warm-up: template compilation, first claim
        assert client.get(url).status_code == 200
    listener = lambda *a: statements.append(a[2])  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    wall, cpu = [], []
    for _ in range(requests):
        start, start_cpu = time.perf_counter(), time.process_time()
        resp = client.get(url)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert resp.status_code == 200, resp.status_code
    sa.event.remove(db.engine, "before_cursor_execute", listener)
    return wall, cpu, len(statements) // requests


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def _report(
    label: str, wall: list[float], cpu: list[float], statements: int, baseline: float | None = None
) -> float:
    median = statistics.median(wall)
    ratio = f"   {median / baseline:4.1f}× the baseline" if baseline else ""
    print(
        f"  {label:<14} wall median {median:6.1f} ms  p95 {_p95(wall):6.1f} ms"
        f"  max {max(wall):6.1f} ms"
        f" | CPU median {statistics.median(cpu):6.1f} ms | {statements} SQL/request{ratio}"
    )
    return median


def time_dashboard(app, args: argparse.Namespace, baseline: float) -> None:
    """Time the committee's dashboard of the seeded period, as a committee member."""
    from review.models import Period
    from review.services import accounts

    accounts.create_user("C0001", "党委老师", "committee", PASSWORD)
    period_id = db.session.scalar(sa.select(Period.id))
    db.session.commit()
    if db.engine.dialect.name == "postgresql":  # as autovacuum does after a bulk load: the
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")  # row counts, index-only scans
    with app.app_context():  # its own g: Flask-Login keeps the signed-in user there
        client = app.test_client()
        login = client.post("/login", data={"username": "C0001", "password": PASSWORD})
        assert login.status_code == 302
        url = f"/committee/?period={period_id}"
        app.config["DASHBOARD_CACHE_SECONDS"] = 0  # counted on every request
        _report("dashboard", *_time(client, url, args.requests), baseline=baseline)
        # The product's default: figures counted at most once a minute (the warm-up counts).
        app.config["DASHBOARD_CACHE_SECONDS"] = 60
        _report("  ~ per minute", *_time(client, url, args.requests), baseline=baseline)
        app.config["DASHBOARD_CACHE_SECONDS"] = 0


def seed_release_list() -> None:
    """Give the release list something to sort: second reviews that differ, some decisions."""
    from review.models import AgreedMark, Decision, Review, Score, Submission
    from review.services import accounts

    period_id = db.session.scalar(sa.select(sa.func.max(Submission.period_id)))
    criteria = list(
        db.session.scalars(
            sa.text(
                "SELECT c.id FROM criteria c JOIN periods p"
                " ON p.rubric_version_id = c.rubric_version_id WHERE p.id = :p ORDER BY c.id"
            ),
            {"p": period_id},
        )
    )
    second = accounts.create_user("T0002", "李老师", "reviewer", PASSWORD, ["第1党支部"])
    versions = [
        v for v in db.session.scalars(sa.select(Review.version_id).order_by(Review.version_id))
    ]
    first_review = (db.session.scalar(sa.select(sa.func.max(Review.id))) or 0) + 1
    now = datetime.now(UTC)
    twice = versions[::2]  # half the reviewed ones get a second review, 0 to 30 points apart
    _bulk(
        Review,
        [
            {
                "id": first_review + k,
                "reviewer_id": second.id,
                "version_id": v,
                "rubric_version_id": db.session.get(Review, 1).rubric_version_id,
                "state": "submitted",
                "overall_comment": "",
                "revision": 1,
                "submitted_at": now + timedelta(seconds=1),
                "created_at": now,
                "updated_at": now,
            }
            for k, v in enumerate(twice)
        ],
    )
    _bulk(
        Score,
        [
            {"review_id": first_review + k, "criterion_id": c, "points": 15 - v % 7, "note": ""}
            for k, v in enumerate(twice)
            for c in criteria
        ],
    )
    decided = versions[::4]  # a quarter agreed, an eighth released
    _bulk(
        Decision,
        [
            {
                "id": k + 1,
                "version_id": v,
                "outcome": "pass",
                "comment": "",
                "released_at": now if k % 2 == 0 else None,
                "updated_at": now,
            }
            for k, v in enumerate(decided)
        ],
    )
    _bulk(
        AgreedMark,
        [
            {"decision_id": k + 1, "criterion_id": c, "points": 14}
            for k in range(len(decided))
            for c in criteria
        ],
    )
    db.session.commit()
    from review.services import figures

    started = time.perf_counter()
    stored = figures.refresh_period(period_id)  # bulk inserts bypass the services that keep them
    print(
        f"  release list figures of {stored} submissions in {time.perf_counter() - started:.1f} s"
    )


def time_release_list(app, args: argparse.Namespace, baseline: float) -> None:
    """Time the committee's release list: its first page, sorted and filtered variants."""
    from review.models import Submission

    seed_release_list()
    period_id = db.session.scalar(sa.select(sa.func.max(Submission.period_id)))
    if db.engine.dialect.name == "postgresql":  # after the bulk load, as time_dashboard does
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    with app.app_context():  # its own g: Flask-Login keeps the signed-in user there
        client = app.test_client()
        login = client.post("/login", data={"username": "C0001", "password": PASSWORD})
        assert login.status_code == 302
        url = f"/committee/periods/{period_id}/submissions"
        requests = max(10, args.requests // 3)
        for label, query in (
            ("release list", ""),
            ("  -difference", "?sort=-difference"),
            ("  undecided", "?decision=undecided&sort=-total"),
        ):
            _report(label, *_time(client, url + query, requests), baseline=baseline)


def run(url: str, instance: Path, args: argparse.Namespace) -> None:
    """Seed one database and time the pages on it."""
    settings = {
        "SQLALCHEMY_DATABASE_URI": url,
        "INSTANCE_DIR": instance,
        "MEDIA_ROOT": instance / "media",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "TESTING": False,
    }
    app = create_app(type("BenchConfig", (TestConfig,), settings))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(revision="heads")  # the real schema, indexes and extensions included
        started = time.perf_counter()
        target, _ = seed(args.submissions, args.segments)
        counts = {
            t: db.session.scalar(sa.text(f"SELECT count(*) FROM {t}"))
            for t in ("submissions", "transcript_segments", "reviews")
        }
        print(f"{db.engine.dialect.name}: seeded {counts} in {time.perf_counter() - started:.1f} s")
        if db.engine.dialect.name == "postgresql":  # as autovacuum does after a bulk load;
            # without statistics PostgreSQL planned the API list at 58 ms instead of 11
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        client = app.test_client()
        assert (
            client.post("/login", data={"username": "T0001", "password": PASSWORD}).status_code
            == 302
        )
        base = _report("baseline", *_time(client, "/password", args.requests))  # a plain form page
        _report("review page", *_time(client, f"/reviews/{target}", args.requests), baseline=base)
        _report(
            "queue page", *_time(client, "/reviews/", max(10, args.requests // 10)), baseline=base
        )
        _report(
            "API list",
            *_time(client, "/api/v1/submissions?limit=100", max(10, args.requests // 10)),
            baseline=base,
        )
        time_dashboard(app, args, base)
        time_release_list(app, args, base)  # last: it adds reviews and decisions
        db.session.remove()
        db.engine.dispose()
    app.extensions["redis"].close()
    from review import embedded

    embedded.stop_redis(instance / "redis")  # the embedded server create_app started


def main() -> None:
    """Parse the options and run the benchmark on SQLite, then on PostgreSQL when configured."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=10_000)
    parser.add_argument("--segments", type=int, default=40, help="transcript segments per video")
    parser.add_argument("--requests", type=int, default=200)
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
