"""Keep a few child processes running: restart with back-off, stop them all, leave nothing behind.

Each child runs in its own session (so its own process group): whatever it starts (gunicorn's
workers, RQ's scheduler, the reconciler, ffmpeg) shares that group, and killing the group
after the child ends removes all of it. Each child also gets PR_SET_PDEATHSIG, so it is told
to stop even when this supervisor is killed with SIGKILL and cannot clean up.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

BACKOFF_FIRST = 1.0  # seconds before the first restart: a killed worker is back at once
BACKOFF_MAX = 30.0
STABLE_AFTER = 30.0  # a child that ran this long has its back-off reset
STOP_GRACE = 10.0  # seconds between SIGTERM and SIGKILL at shutdown


def log(zh: str, en: str) -> None:
    """Print one line in Chinese and English."""
    print(f"[{time.strftime('%H:%M:%S')}] {zh} / {en}", file=sys.stderr, flush=True)


def _die_with_parent() -> None:  # runs in the child between fork and exec
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def describe(returncode: int) -> tuple[str, str]:
    """Say how a child ended, in Chinese and English."""
    if returncode < 0:
        name = signal.Signals(-returncode).name
        return f"被信号 {name} 终止", f"killed by {name}"
    return f"退出码 {returncode}", f"exit code {returncode}"


@dataclass
class Child:
    """One supervised command."""

    name: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    crashes: int = 0  # crashes in a row without a stable run in between
    restart_at: float | None = None
    stop_last: bool = False  # stopped after the others (Redis: workers still talk to it)
    history: list[float] = field(default_factory=list)  # start times, for the log

    def start(self) -> None:
        """Start the command in a new session."""
        self.proc = subprocess.Popen(
            self.argv,
            env=self.env,
            cwd=self.cwd,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        self.started_at = time.monotonic()
        self.history.append(self.started_at)
        self.restart_at = None

    def kill_group(self, sig: int) -> None:
        """Send sig to the child's whole process group (what is left of it)."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, sig)


class Supervisor:
    """Start children, restart the ones that die, stop them all on SIGINT/SIGTERM."""

    def __init__(self, children: list[Child]) -> None:
        self.children = children
        self.stopping = False

    def _request_stop(self, *_args: object) -> None:
        self.stopping = True

    def run(self) -> int:
        """Supervise until asked to stop; return 0 after a clean stop."""
        signal.signal(signal.SIGINT, self._request_stop)
        signal.signal(signal.SIGTERM, self._request_stop)
        for child in self.children:
            if child.proc is None:
                child.start()
        try:
            while not self.stopping:
                self._tick(time.monotonic())
                time.sleep(0.2)
        finally:
            self.stop_all()
        return 0

    def _tick(self, now: float) -> None:
        for child in self.children:
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.kill_group(signal.SIGKILL)  # what did not stop on the SIGTERM
                    child.start()
                    log(
                        f"{child.name} 已重启（PID {child.proc.pid}）",
                        f"{child.name} restarted (PID {child.proc.pid})",
                    )
                continue
            code = child.proc.poll() if child.proc else None
            if code is None:
                continue
            # Its scheduler, reconciler, ffmpeg... go with it: SIGTERM now, so RQ's scheduler can
            # release its lock for the next worker, SIGKILL for what is left at the restart.
            child.kill_group(signal.SIGTERM)
            ran = now - child.started_at
            child.crashes = 1 if ran >= STABLE_AFTER else child.crashes + 1
            delay = min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** (child.crashes - 1))
            child.restart_at = now + delay
            how_zh, how_en = describe(code)
            log(
                f"{child.name} 意外退出（{how_zh}，运行了 {ran:.0f} 秒），{delay:.1f} 秒后重启",
                f"{child.name} exited unexpectedly ({how_en} after {ran:.0f} s); "
                f"restarting in {delay:.1f} s",
            )

    def stop_all(self) -> None:
        """SIGTERM each child, SIGKILL its whole group after at most STOP_GRACE seconds.

        Only the child itself gets SIGTERM: an RQ worker then finishes or abandons its job
        cleanly (a SIGTERM to its ffmpeg would fail the video instead of leaving the job for
        a retry), gunicorn stops its own workers. The group's SIGKILL takes what is left.
        """
        for last in (False, True):
            self._stop_group([c for c in self.children if c.stop_last is last])

    def _stop_group(self, children: list[Child]) -> None:
        for child in children:
            if child.restart_at is not None:  # died, waiting for its restart
                child.kill_group(signal.SIGKILL)
        running = [c for c in children if c.proc is not None and c.restart_at is None]
        for child in running:
            if child.proc.poll() is None:
                child.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for child in running:
            try:
                child.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log(
                    f"{child.name} 未能按时停止，强制结束", f"{child.name} did not stop; killing it"
                )
            child.kill_group(signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.proc.wait(timeout=5)
