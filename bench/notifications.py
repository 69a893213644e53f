"""What notifications cost: writing outbox rows with an event, the header's unread count, delivery.

    .venv/bin/python bench/notifications.py                     # SQLite; PostgreSQL too with
    DATABASE_URL=postgresql://… .venv/bin/python bench/notifications.py   # DATABASE_URL set

Each figure is printed against a baseline measured in the same run:
- notify(): N events each writing rows (in-app + email) vs the same events writing one audit row;
- the header: a page for a user with many messages (unread count in the header) vs a user with
  none;
- delivery: the outbox sweep sending M emails to a local aiosmtpd (claim, one connection per
  message, record) vs smtplib sending M messages over one connection.
"""

from __future__ import annotations

import argparse
import os
import smtplib
import socket
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from review import create_app  # noqa: E402
from review.config import TestConfig  # noqa: E402
from review.extensions import db  # noqa: E402

PASSWORD = "correct-horse-9"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _smtp() -> tuple[object, str, list]:
    from aiosmtpd.controller import Controller

    got: list = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            got.append(envelope.original_content)
            return "250 OK"

    port = _port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    return controller, f"smtp://127.0.0.1:{port}?tls=none", got


def _seed(users: int, messages: int) -> tuple[list[int], int]:
    from review.models import Notification, User
    from review.services import accounts

    accounts.create_branch("一支部")
    accounts.create_user("heavy", "李明", "activist", PASSWORD, ["一支部"])
    accounts.create_user("light", "赵红", "activist", PASSWORD, ["一支部"])
    branch_id = db.session.scalar(sa.select(User.branch_id).where(User.username == "heavy"))
    db.session.execute(
        sa.insert(User),
        [
            {"username": f"u{i}", "name": f"用户{i}", "role": "activist", "branch_id": branch_id,
             "password_hash": "x", "email": f"u{i}@example.edu.cn"}
            for i in range(users)
        ],
    )  # fmt: skip
    heavy = db.session.scalar(sa.select(User.id).where(User.username == "heavy"))
    from review.clock import now

    at = now()
    db.session.execute(
        sa.insert(Notification),
        [
            {"recipient_id": heavy, "kind": "deadline_reminder", "key": f"k{i}", "channel": "inapp",
             "title": "距截止还有 3 天", "body": "请尽快提交。", "state": "sent", "attempts": 0,
             "created_at": at, "sent_at": at, "read_at": at if i % 2 else None}
            for i in range(messages)
        ],
    )  # fmt: skip
    db.session.commit()
    ids = list(db.session.scalars(sa.select(User.id).where(User.username.like("u%"))))
    return ids, heavy


def _time(fn, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def run(url: str, instance: Path, args: argparse.Namespace) -> None:
    """Seed one database and print the three comparisons."""
    controller, smtp_url, got = _smtp()
    settings = {
        "SQLALCHEMY_DATABASE_URI": url,
        "INSTANCE_DIR": instance,
        "MEDIA_ROOT": instance / "media",
        "WTF_CSRF_ENABLED": False,
        "TESTING": False,
        "SMTP_URL": smtp_url,
        "QUIET_HOURS_START": "00:00",
        "QUIET_HOURS_END": "00:00",  # no quiet hours: the bench may run at night
    }
    app = create_app(type("BenchConfig", (TestConfig,), settings))
    try:
        with app.app_context():
            from flask_migrate import upgrade

            from review.services import audit
            from review.services.notifications import notify, outbox

            upgrade(revision="heads")
            users, _heavy = _seed(args.users, args.messages)
            name = db.engine.dialect.name
            app.extensions["rq"]["default"].connection.flushdb()

            def events_audit() -> None:
                for n, uid in enumerate(users):
                    audit.record(None, "bench", "user", uid, {"n": n}, commit=False)
                db.session.commit()

            def events_notify() -> None:
                for n, uid in enumerate(users):
                    audit.record(None, "bench", "user", uid, {"n": n}, commit=False)
                    notify(db.session, recipient_id=uid, kind="result_released", key=f"b{n}",
                           title="审阅结果已发布", body="通过。", link="/my/")  # fmt: skip
                db.session.commit()

            base = _time(events_audit)
            took = _time(events_notify)
            n = len(users)
            print(f"{name}: {n} events, audit row only {base * 1e3 / n:.2f} ms/event; "
                  f"with notify() (in-app + email rows, enqueue) {took * 1e3 / n:.2f} ms/event; "
                  f"ratio {took / base:.2f}")  # fmt: skip

            client = app.test_client()
            pages = {}
            for who in ("light", "heavy"):
                client.post("/login", data={"username": who, "password": PASSWORD})
                client.get("/password")  # warm
                pages[who] = _time(lambda: client.get("/password"), args.requests)
                client.post("/logout")
            print(f"{name}: page with the header's unread count, best of {args.requests}: "
                  f"0 messages {pages['light'] * 1e3:.2f} ms, {args.messages} messages "
                  f"({args.messages // 2} unread) {pages['heavy'] * 1e3:.2f} ms; "
                  f"ratio {pages['heavy'] / pages['light']:.2f}")  # fmt: skip

            m = min(args.mails, n)
            from review.services.notifications.channels.email import build_message

            def raw_smtp() -> None:
                host, port = "127.0.0.1", int(smtp_url.split(":")[2].split("?")[0])
                with smtplib.SMTP(host, port) as client_:
                    for i in range(m):
                        client_.send_message(build_message(f"u{i}@example.edu.cn", "测试", "正文"))

            base = _time(raw_smtp)
            got.clear()
            sweep = _time(lambda: outbox.sweep(budget_seconds=600))
            sent = len(got)
            print(f"{name}: {m} emails, smtplib on one connection {m / base:.0f}/s; "
                  f"outbox sweep ({sent} sent: claim, connect, send, record each) "
                  f"{sent / sweep:.0f}/s; "
                  f"ratio (time per mail) {sweep / sent / (base / m):.2f}")  # fmt: skip
            db.session.remove()
            db.engine.dispose()
    finally:
        controller.stop()
        app.extensions["redis"].close()
        from review import embedded

        embedded.stop_redis(instance / "redis")  # the embedded server create_app started


def main() -> None:
    """Run on SQLite, then on PostgreSQL when DATABASE_URL is set."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=500, help="events (one per user)")
    parser.add_argument("--messages", type=int, default=20_000, help="messages of one user")
    parser.add_argument("--mails", type=int, default=500)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{tmp}/bench.sqlite3", Path(tmp) / "instance", args)
        base = os.environ.get("DATABASE_URL")
        if base:
            sys.path.insert(0, str(ROOT / "tests"))
            from tests.fixtures.database import _postgres_database

            pg, drop = _postgres_database(base)
            try:
                run(pg, Path(tmp) / "instance-pg", args)
            finally:
                drop()


if __name__ == "__main__":
    main()
