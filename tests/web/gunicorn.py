"""Serve the app from a real gunicorn (gthread, as in the Procfile) and talk to it raw."""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil

from tests.fixtures.database import require_committed

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Served:
    """A running gunicorn: its port and the one worker process."""

    port: int
    worker: psutil.Process
    log: Path

    def peak_rss(self) -> int:
        """Return the worker's peak resident memory so far (VmHWM), in bytes."""
        for line in Path(f"/proc/{self.worker.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmHWM")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, redis_url: str, instance: Path, **env: str):
    """Run `gunicorn review:create_app()` with one gthread worker on the test database."""
    require_committed("gunicorn")
    port = _free_port()
    log = instance / "gunicorn.log"
    instance.mkdir(parents=True, exist_ok=True)
    environ = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "HUIBAO_INSTANCE": str(instance),
        "MEDIA_ROOT": str(instance / "media"),
        "SECRET_KEY": "test-secret",
        "HUIBAO_ENV": "development",
        "REVIEW_ARGON2_FAST": "true",
        **env,
    }
    cmd = [
        sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
        "--threads", "2", "--worker-class", "gthread", "--timeout", "120", "review:create_app()",
    ]  # fmt: skip
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=environ, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                status, _ = request(port, b"GET /login HTTP/1.1\r\nHost: t\r\n\r\n")
                if status == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start:\n" + log.read_text()[-3000:])
            time.sleep(0.3)
        (worker,) = psutil.Process(proc.pid).children()
        yield Served(port, worker, log)
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def _recv(sock: socket.socket) -> bytes:
    try:
        return sock.recv(65536)
    except ConnectionResetError:  # closed after answering, with our unread bytes pending
        return b""


def _read_response(sock: socket.socket) -> tuple[int, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        piece = _recv(sock)
        if not piece:
            break
        data += piece
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head else 0
    length = next(
        (
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ),
        None,
    )
    while length is not None and len(body) < length:
        piece = _recv(sock)
        if not piece:
            break
        body += piece
    return status, body if length is None else body[:length]


def request(port: int, raw: bytes, timeout: float = 60) -> tuple[int, bytes]:
    """Send raw bytes as one request; return the status and the body of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(raw)
        return _read_response(sock)


def stream_chunked(
    port: int, head: bytes, first: bytes, filler: bytes, total: int, last: bytes
) -> tuple[int, bytes, int]:
    """Send a chunked body of about total bytes, stopping as soon as the server answers.

    Returns the status, the answer's body and how many body bytes were sent.
    """

    def chunk(data: bytes) -> bytes:
        return f"{len(data):x}\r\n".encode() + data + b"\r\n"

    with socket.create_connection(("127.0.0.1", port), timeout=300) as sock:
        sock.sendall(head + chunk(first))
        sent = len(first)
        try:
            while sent < total:
                if select.select([sock], [], [], 0)[0]:
                    break  # answered before the body was read
                sock.sendall(chunk(filler))
                sent += len(filler)
            else:
                sock.sendall(chunk(last) + b"0\r\n\r\n")
                sent += len(last)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed while we were still sending
        status, body = _read_response(sock)
        return status, body, sent
