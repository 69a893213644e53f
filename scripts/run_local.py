"""`make run`: migrate, seed demo data once, start web + worker on the embedded default."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def main() -> int:
    """Start everything, print the URL and the demo logins, stop it all on Ctrl-C."""
    env = dict(os.environ)
    instance = Path(env.setdefault("HUIBAO_INSTANCE", str(ROOT / "instance")))
    started_redis = False
    if not env.get("REDIS_URL"):
        sys.path.insert(0, str(ROOT))
        from review.embedded import ensure_redis

        env["REDIS_URL"] = ensure_redis(instance / "redis")
        started_redis = True
    port = env.setdefault("PORT", "5000")
    flask = [str(BIN / "flask"), "--app", "review"]
    subprocess.run(flask + ["db", "upgrade", "heads"], env=env, check=True, cwd=ROOT)
    subprocess.run(flask + ["seed-demo"], env=env, check=True, cwd=ROOT)
    procs = [
        subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--timeout",
                "120",
                "wsgi:app",
            ],
            env=env,
            cwd=ROOT,
        ),
        subprocess.Popen([str(BIN / "python"), "-m", "workers.worker"], env=env, cwd=ROOT),
    ]
    from review.services.demo import DEMO_PASSWORD, DEMO_USERS

    print(f"\n汇报 Huibao 已启动: http://127.0.0.1:{port}/  (Ctrl-C 停止)")
    print(f"演示账号 (密码均为 {DEMO_PASSWORD}):")
    for username, name, role, _ in DEMO_USERS:
        print(f"  {role:<10} {username:<8} {name}")
    print(flush=True)
    stopping = False

    def stop(*_args) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping and all(p.poll() is None for p in procs):
            time.sleep(0.5)
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
        if started_redis:
            from review.embedded import stop_redis

            stop_redis(instance / "redis")
    return 0 if stopping else 1


if __name__ == "__main__":
    sys.exit(main())
