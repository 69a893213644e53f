"""Run the real `make run` launcher (scripts/run_local.py) against a temporary instance."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "launcher"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def marked(mark: str, instance: Path | None = None) -> list[psutil.Process]:
    """Every process with the launcher's marker in its environment, or its instance folder in
    its command line (redis-server rewrites its environment block for its process title)."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get("HUIBAO_LAUNCHER_MARK") == mark or (
                instance is not None and str(instance) in " ".join(proc.cmdline())
            ):
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def table(procs: list[psutil.Process]) -> list[str]:
    """Describe processes like `ps -o pid,ppid,pgid,args`."""
    rows = []
    for proc in procs:
        try:
            args = " ".join(proc.cmdline())[:110]
            rows.append(f"{proc.pid:>7} {proc.ppid():>7} {os.getpgid(proc.pid):>7}  {args}")
        except (psutil.NoSuchProcess, ProcessLookupError):
            continue
    return rows


class Launcher:
    """One `python scripts/run_local.py` run, its instance folder and what it started."""

    def __init__(self, tmp: Path, **env: str) -> None:
        self.instance = tmp / "instance"
        self.port = free_port()
        self.mark = uuid.uuid4().hex
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp / "launcher.log"
        self.env = {
            k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}
        } | {
            "HUIBAO_INSTANCE": str(self.instance),
            "PORT": str(self.port),
            "HUIBAO_LAUNCHER_MARK": self.mark,
            "MODEL_CACHE": os.environ.get(
                "HUIBAO_TEST_MODEL_CACHE", str(Path.home() / ".cache" / "huibao-models")
            ),
            "WEB_CONCURRENCY": "1",
            **env,
        }
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115  (the child keeps its own descriptor)
        try:
            self.proc = subprocess.Popen(
                [sys.executable, str(ROOT / "scripts" / "run_local.py")],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_until(self, what: str, check, timeout: float, every: float = 0.2):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = check()
            if result:
                return result
            time.sleep(every)
        raise AssertionError(
            f"timed out waiting for {what}\n--- launcher log ---\n{self.log()[-6000:]}"
        )

    def healthz(self) -> requests.Response | None:
        try:
            return requests.get(self.url + "/healthz", timeout=5)
        except requests.RequestException:
            return None

    def workers(self) -> list[psutil.Process]:
        """The launcher's worker processes (python -m workers.worker), not their children."""
        found = []
        for proc in marked(self.mark, self.instance):
            try:
                cmd = proc.cmdline()
                if "workers.worker" in cmd and proc.ppid() == self.proc.pid:
                    found.append(proc)
            except psutil.NoSuchProcess:
                continue
        return found

    def db(self, sql: str, *args) -> list[tuple]:
        conn = sqlite3.connect(f"file:{self.instance / 'huibao.sqlite3'}?mode=ro", uri=True)
        try:
            return conn.execute(sql, args).fetchall()
        finally:
            conn.close()

    def videos(self) -> dict[int, dict]:
        rows = self.db("SELECT id, state, stage, progress FROM videos ORDER BY id")
        return {
            i: {"state": s, "stage": g, "progress": json.loads(p or "{}")} for i, s, g, p in rows
        }

    def stop(self, sig: int = signal.SIGINT, timeout: float = 60) -> int:
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=timeout)

    def kill_everything(self) -> None:
        for proc in marked(self.mark, self.instance):
            with contextlib.suppress(psutil.NoSuchProcess):
                proc.kill()


@pytest.fixture
def launcher(tmp_path):
    """Return a factory of launchers; whatever they leave is killed after the test."""
    made: list[Launcher] = []

    def make(**env: str) -> Launcher:
        run = Launcher(tmp_path, **env)
        made.append(run)
        return run

    yield make
    for run in made:
        if run.proc is not None and run.proc.poll() is None:
            run.proc.kill()
        if run.proc is not None:
            run.proc.wait(timeout=30)  # reaped, or its Popen warns at a later test's teardown
        run.kill_everything()
