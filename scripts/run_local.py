"""`make run`: migrate, seed demo data once, then supervise Redis, the web server and the workers.

A child that dies is restarted with back-off (a log line says so, in Chinese and English);
Ctrl-C or SIGTERM stops everything, and no process is left behind (scripts/supervisor.py).
One worker per core with WHISPER_THREADS=1 (docs/performance.md); WORKERS=n overrides.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from scripts.supervisor import Child, Supervisor, log  # noqa: E402


def worker_count(env: dict[str, str]) -> int:
    """Return WORKERS, or one worker per core."""
    value = env.get("WORKERS", "").strip()
    if value:
        count = int(value)
        if count < 1:
            raise SystemExit("WORKERS must be at least 1")
        return count
    return os.cpu_count() or 1


def redis_child(env: dict[str, str], instance: Path) -> Child | None:
    """Return the embedded Redis as a supervised child, or None when REDIS_URL is set."""
    from review import embedded

    if env.get("REDIS_URL"):
        return None
    data = instance / "redis"
    data.mkdir(parents=True, exist_ok=True)
    env["REDIS_URL"] = embedded.socket_url(data)
    if embedded.is_running(data):
        raise SystemExit(f"另一个 make run 正在使用 {data} / another make run is using {data}")
    return Child("redis", embedded.server_args(data, daemonize=False), env, ROOT, stop_last=True)


def wait_for_redis(instance: Path, child: Child) -> None:
    """Wait until the embedded Redis answers."""
    from review import embedded

    deadline = time.monotonic() + 15
    while not embedded.is_running(instance / "redis"):
        if child.proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"redis-server 未能启动 / did not start: {instance / 'redis'}")
        time.sleep(0.05)


def main() -> int:
    """Start everything, print the URL and the demo logins, stop it all on Ctrl-C."""
    env = dict(os.environ)
    instance = Path(env.setdefault("HUIBAO_INSTANCE", str(ROOT / "instance")))
    env.setdefault("WHISPER_THREADS", "1")
    port = env.setdefault("PORT", "5000")
    workers = worker_count(env)
    children = []
    redis = redis_child(env, instance)
    if redis is not None:
        redis.start()
        children.append(redis)
    supervisor = Supervisor(children)
    try:
        if redis is not None:
            wait_for_redis(instance, redis)
        flask = [str(BIN / "flask"), "--app", "review"]
        subprocess.run(flask + ["db", "upgrade", "heads"], env=env, check=True, cwd=ROOT)
        subprocess.run(flask + ["seed-demo"], env=env, check=True, cwd=ROOT)
    except BaseException:
        supervisor.stop_all()
        raise
    gunicorn = [str(BIN / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py")]
    children.append(Child("web", [*gunicorn, "wsgi:app"], env, ROOT))
    worker = [str(BIN / "python"), "-m", "workers.worker"]
    children += [Child(f"worker-{n}", worker, env, ROOT) for n in range(1, workers + 1)]
    from review.services.demo import DEMO_PASSWORD, DEMO_USERS

    print(f"\n汇报 Huibao 已启动: http://127.0.0.1:{port}/  (Ctrl-C 停止)")
    print(f"处理进程 workers: {workers}（WORKERS=n 可修改 / set WORKERS=n to change）")
    print(f"演示账号 (密码均为 {DEMO_PASSWORD}):")
    for username, name, role, _ in DEMO_USERS:
        print(f"  {role:<10} {username:<8} {name}")
    print(flush=True)
    code = supervisor.run()
    log("已全部停止", "everything stopped")
    return code


if __name__ == "__main__":
    sys.exit(main())
