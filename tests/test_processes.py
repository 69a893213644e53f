"""`make test` leaves nothing running: a small pytest run, and the process table after it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.fixtures.processes import MARK

ROOT = Path(__file__).resolve().parents[1]

INNER = """
import os
import subprocess
from pathlib import Path

from tests.fixtures.processes import MARK, marked_processes, run_folder

OUT = Path({out!r})


def test_uses_app_database_and_redis(client, people, app, pytestconfig):
    assert client.get("/login").status_code == 200
    app.extensions["redis"].set("probe", "1")
    running = marked_processes(os.environ[MARK], run_folder(pytestconfig))
    servers = [pid for pid, cmd in running.items() if "redis-server" in cmd]
    if not os.environ.get("REDIS_URL"):
        assert servers, running  # the run's embedded redis-server, carrying the mark
    (OUT / "servers").write_text(" ".join(map(str, servers)))


def test_leaves_a_process_behind():
    # `sh` starts `sleep` in the background and exits: a daemon, as redis-server is one.
    pid = subprocess.run(
        ["sh", "-c", "sleep 300 >/dev/null 2>&1 & echo $!"], capture_output=True, text=True
    ).stdout
    (OUT / "leak").write_text(pid.strip())
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/status") as status:
        return "\nState:\tZ" not in status.read()


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads /proc (Linux)")
def test_a_run_stops_what_it_started_and_fails_on_leftovers(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "test_inner.py").write_text(textwrap.dedent(INNER.format(out=str(out))))
    env = {k: v for k, v in os.environ.items() if k != MARK}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.conftest",
         "-c", str(ROOT / "setup.cfg"), "--rootdir", str(ROOT),
         "--basetemp", str(tmp_path / "base"), str(tmp_path / "test_inner.py")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert "2 passed" in output, output
    # The leaked `sleep` fails the run and is stopped; the embedded redis-server is not a leak.
    assert done.returncode == 1, output
    assert "still running" in output and "sleep 300" in output, output
    assert "redis-server" not in output.split("still running", 1)[1], output
    leak = int((out / "leak").read_text())
    servers = [int(p) for p in (out / "servers").read_text().split()]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(p) for p in [leak, *servers]):
        time.sleep(0.1)
    assert not [p for p in [leak, *servers] if _alive(p)]
