"""Benchmark the similarity check of one new report against N existing ones (default 10 000).

Builds a throwaway database (SQLite file, or a fresh PostgreSQL database when DATABASE_URL is
set) with N submitted reports of about 1 200 characters and their stored signatures, then
times review.services.analyses.similar.check_version for new reports (half copies of an
existing report with edits, half unrelated), each followed by its commit. Baselines measured
in the same run: comparing the new signature with all N stored signatures (no LSH), and
recomputing every stored text's shingles (no stored signatures), extrapolated from a sample.

Usage: .venv/bin/python bench/similarity.py [--reports N] [--checks K]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from review.analysis import similarity as sim  # noqa: E402
from review.analysis.text import char_syllables  # noqa: E402

# fmt: off
WORDS = [
    "我们", "学习", "党的", "理论", "思想", "认识", "工作", "同学", "组织", "活动",
    "参加", "积极", "认真", "努力", "提高", "进一步", "实践", "服务", "人民", "群众",
    "社会", "国家", "发展", "建设", "时代", "精神", "责任", "担当", "初心", "使命",
    "奋斗", "青年", "学生", "专业", "成绩", "科研", "实验室", "图书馆", "志愿", "社区",
    "老人", "帮助", "体会", "感受", "收获", "不足", "改正", "今后", "计划", "坚持",
    "阅读", "原著", "讲话", "报告", "会议", "支部", "党员", "先锋", "模范", "作用",
    "榜样", "要求", "标准", "严格", "自觉", "主动", "按时", "每周", "每月", "季度",
    "以来", "通过", "深刻", "理解", "明白", "懂得", "意识到", "发现", "问题", "方法",
    "能力", "水平", "沟通", "合作", "团队", "集体", "荣誉", "纪律", "规矩", "历史",
    "经验", "教训", "传统", "文化", "自信", "信念", "理想", "宗旨", "全心全意", "实事求是",
    "艰苦奋斗", "勤俭节约", "改革", "开放", "创新", "基层", "一线", "乡村", "振兴", "脱贫",
    "攻坚", "疫情", "防控", "抗洪", "救灾", "奉献", "默默", "身边", "老师", "父母",
    "家乡", "城市", "校园", "课堂", "考试", "论文", "实习", "就业", "未来", "理想",
    "目标", "方向", "道路", "选择", "坚定", "信心", "决心", "恒心", "耐心",
]
# fmt: on


def clause(rng: random.Random) -> str:
    """Return a random clause of common words."""
    return "".join(rng.choice(WORDS) for _ in range(rng.randint(3, 7))) + rng.choice("，。；")


def build(app, n: int, rng: random.Random) -> list[str]:
    """Insert n submitted reports with signatures; return their texts."""
    from review.extensions import db
    from review.models import (
        Branch,
        SignatureBand,
        Submission,
        SubmissionVersion,
        TextSignature,
        User,
    )
    from review.services import periods

    pool = [clause(rng) for _ in range(4000)]
    pool_sounds = {
        c: char_syllables(c[:-1]) for c in pool
    }  # pinyin once per clause, not per report
    branch = Branch(name="一支部")
    db.session.add(branch)
    period = periods.open_period(
        "2026年第四季度", date.today() - timedelta(days=3), date.today() + timedelta(days=30)
    )
    now = datetime.now(UTC)
    texts, t0 = [], time.perf_counter()
    for start in range(0, n, 1000):
        batch = range(start, min(start + 1000, n))
        db.session.execute(
            sa.insert(User),
            [
                {
                    "id": i + 1,
                    "username": f"u{i}",
                    "name": f"学员{i}",
                    "role": "activist",
                    "password_hash": "x",
                    "branch_id": branch.id,
                }
                for i in batch
            ],
        )
        db.session.execute(
            sa.insert(Submission),
            [
                {
                    "id": i + 1,
                    "activist_id": i + 1,
                    "period_id": period.id,
                    "branch_id": branch.id,
                    "state": "submitted",
                }
                for i in batch
            ],
        )
        versions, sigs, bands = [], [], []
        for i in batch:
            chosen = rng.sample(pool, 90)
            text = "".join(chosen)
            texts.append(text)
            sounds = [s for c in chosen for s in pool_sounds[c]]
            sig = sim.signature(sim.shingles_of(sounds) - sim._oath_shingles())
            versions.append(
                {
                    "id": i + 1,
                    "submission_id": i + 1,
                    "number": 1,
                    "paper_kind": "text",
                    "paper_text": text,
                    "submitted_at": now,
                }
            )
            sigs.append(
                {
                    "id": i + 1,
                    "version_id": i + 1,
                    "submission_id": i + 1,
                    "period_id": period.id,
                    "activist_id": i + 1,
                    "kind": "paper",
                    "chars": len(sounds),
                    "signature": sim.to_bytes(sig),
                }
            )
            bands += [
                {"signature_id": i + 1, "band": b, "key": k}
                for b, k in enumerate(sim.band_keys(sig))
            ]
        db.session.execute(sa.insert(SubmissionVersion), versions)
        db.session.execute(sa.insert(TextSignature), sigs)
        db.session.execute(sa.insert(SignatureBand), bands)
        db.session.commit()
        print(f"  {len(texts)} reports stored ({time.perf_counter() - t0:.0f} s)", flush=True)
    if db.engine.dialect.name == "postgresql":
        for table in ("users", "submissions", "submission_versions", "text_signatures"):
            db.session.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            )
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
    return texts


def edit(text: str, rng: random.Random, edits: int = 12) -> str:
    """Return text with a few characters replaced, as someone disguising a copy would."""
    chars = list(text)
    for _ in range(edits):
        chars[rng.randrange(len(chars))] = rng.choice(rng.choice(WORDS))
    return "".join(chars)


def _timed(func) -> float:
    t0 = time.perf_counter()
    func()
    return time.perf_counter() - t0


def check(app, n: int, k: int, texts: list[str], rng: random.Random) -> None:
    """Time check_version for k new reports and print the figures with their baselines."""
    from review.extensions import db
    from review.models import Submission, SubmissionVersion, TextSignature, User
    from review.services.analyses.similar import check_version

    timings, flagged = [], 0
    for j in range(k):
        copy = j % 2 == 0
        text = edit(rng.choice(texts), rng) if copy else "".join(clause(rng) for _ in range(90))
        user = User(username=f"new{j}", name=f"新学员{j}", role="activist", password_hash="x")
        db.session.add(user)
        db.session.flush()
        submission = Submission(activist_id=user.id, period_id=1, branch_id=1, state="submitted")
        submission.versions.append(
            SubmissionVersion(
                number=1,
                paper_text=text,
                paper_kind="text",
                submitted_at=datetime.now(UTC),
            )
        )
        db.session.add(submission)
        db.session.commit()
        version = submission.current
        t0 = time.perf_counter()
        entries = check_version(version, None)
        db.session.commit()
        timings.append(time.perf_counter() - t0)
        flagged += bool(entries) == copy
    median = statistics.median(timings)
    # The candidate step alone: LSH band lookup against loading and comparing every signature.
    from review.services.analyses.similar import candidates

    mine = db.session.scalar(sa.select(TextSignature).order_by(TextSignature.id.desc()))
    lsh = statistics.median(_timed(lambda: candidates(mine)) for _ in range(5))

    def brute_force() -> None:
        rows = db.session.execute(sa.select(TextSignature.id, TextSignature.signature)).all()
        stored = np.vstack([sim.from_bytes(sig) for _id, sig in rows])
        _ = (stored == sim.from_bytes(mine.signature)).mean(axis=1) >= sim.THRESHOLD - 0.2

    brute = statistics.median(_timed(brute_force) for _ in range(3))
    # Baseline 2: recompute the shingles of every stored text (no stored signatures).
    sample = texts[:100]
    t0 = time.perf_counter()
    for text in sample:
        sim.signature(sim.Text.of(text).shingles)
    recompute = (time.perf_counter() - t0) / len(sample) * n
    print(f"\nengine: {db.engine.dialect.name}; existing reports: {n}; checks: {k}")
    print(
        f"check one new report (LSH lookup + exact comparison + store + commit): "
        f"median {median * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms"
    )
    print(f"correct verdicts (copies flagged, unrelated not): {flagged}/{k}")
    print(
        f"finding candidates: LSH band lookup {lsh * 1000:.1f} ms; baseline, loading and "
        f"comparing all {n} stored signatures {brute * 1000:.0f} ms ({brute / lsh:.0f}x)"
    )
    print(
        f"baseline, recomputing all {n} signatures: {recompute:.1f} s (estimated from 100; "
        f"{recompute / median:.0f}x the LSH check)"
    )


def main() -> None:
    """Parse arguments, build the database, run the checks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--checks", type=int, default=10)
    args = parser.parse_args()
    from review import create_app
    from review.extensions import db

    tmp = Path(tempfile.mkdtemp(prefix="bench-similarity-"))
    base, drop = os.environ.get("DATABASE_URL"), None
    url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    if base:
        name = f"huibao_bench_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(
            sa.make_url(base).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = (
            sa.make_url(base)
            .set(drivername="postgresql+psycopg", database=name)
            .render_as_string(hide_password=False)
        )

        def drop() -> None:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_DIR": tmp,
            "MEDIA_ROOT": tmp,
            "REDIS_URL": "redis://127.0.0.1:1/0",
            "RATELIMIT_ENABLED": False,
            "SECRET_KEY": "bench",
        }
    )
    try:
        with app.app_context():
            from flask_migrate import upgrade

            upgrade(revision="heads")
            rng = random.Random(7)
            print(f"building {args.reports} reports...")
            texts = build(app, args.reports, rng)
            check(app, args.reports, args.checks, texts, rng)
            db.session.remove()
            db.engine.dispose()
    finally:
        if drop:
            drop()


if __name__ == "__main__":
    main()
