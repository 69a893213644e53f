"""The launcher's supervisor: back-off that doubles and resets, and a log line in two languages."""

from __future__ import annotations

import os
import sys

from scripts.supervisor import BACKOFF_MAX, Child, Supervisor
from tests.scripts.conftest import ROOT


def crash(child: Child, sup: Supervisor, ran: float) -> float:
    """Let the child exit, tell the supervisor `ran` seconds passed; return the restart delay."""
    child.proc.wait(timeout=30)
    now = child.started_at + ran
    sup._tick(now)
    return child.restart_at - now


def test_back_off_doubles_up_to_a_ceiling_and_resets_after_a_stable_run(capfd):
    child = Child("crashy", [sys.executable, "-c", "raise SystemExit(3)"], dict(os.environ), ROOT)
    sup = Supervisor([child])
    child.start()
    delays = []
    for _ in range(8):
        delays.append(crash(child, sup, ran=1.0))
        sup._tick(child.restart_at)  # due: restarted
        assert child.restart_at is None  # started again
    assert delays == [1.0, 2.0, 4.0, 8.0, 16.0, BACKOFF_MAX, BACKOFF_MAX, BACKOFF_MAX]
    assert crash(child, sup, ran=45.0) == 1.0  # it ran long enough: the next crash starts over
    err = capfd.readouterr().err
    assert (
        "crashy 意外退出（退出码 3，运行了 1 秒），1.0 秒后重启 / "
        "crashy exited unexpectedly (exit code 3 after 1 s); restarting in 1.0 s"
    ) in err
    assert "crashy 已重启（PID " in err and "crashy restarted (PID " in err
    child.proc.wait(timeout=30)
    sup.stop_all()
