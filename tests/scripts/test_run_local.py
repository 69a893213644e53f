"""`make run` under fire: SIGKILL the worker mid-transcode and mid-transcription, then stop.

These run the real launcher (scripts/run_local.py) with the embedded Redis and SQLite in a
temporary instance, upload two videos through its web server with tuspy, and watch the
process table: the web keeps answering, a worker is back within seconds, both videos end
`ready`, and after Ctrl-C (or SIGTERM, or a SIGKILL of the launcher) nothing is left.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import time
from pathlib import Path

import psutil
import pytest
import requests
from tusclient import client as tus_client

from media.ffmpeg_bin import run_ffmpeg
from tests.scripts.conftest import ARTIFACTS, marked, table

DATA = Path(__file__).resolve().parents[1] / "data"
FAST = {  # short heartbeats and retries so that a killed job comes back in seconds
    "WORKERS": "1",
    "REVIEW_JOB_HEARTBEAT_TTL": "6",
    "REVIEW_RETRY_INTERVALS": "[0, 0]",
    "RECONCILE_SECONDS": "5",
}


def make_clip(path: Path) -> Path:
    """20 s of 720p MPEG-4 Part 2 with Mandarin speech: not browser-playable, so transcoded."""
    args = [
        "-y",
        "-f",
        "lavfi",
        "-i",
        "testsrc2=s=1280x720:r=30:d=19.9",
        "-i",
        str(DATA / "oath.flac"),
    ]
    args += ["-c:v", "mpeg4", "-q:v", "4", "-c:a", "aac", "-b:a", "96k", "-shortest", str(path)]
    proc = run_ffmpeg(args, timeout=300, safe=False, nice=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return path


def second_activist(run, username: str) -> None:
    """Add an activist beside the demo one, same branch and (demo) password."""
    conn = sqlite3.connect(run.instance / "huibao.sqlite3")
    try:
        with conn:
            conn.execute(
                "INSERT INTO users (username, name, role, branch_id, password_hash,"
                " must_change_password, active, created_at, session_version)"
                " SELECT ?, '王芳', role, branch_id, password_hash, 0, 1, created_at, 0"
                " FROM users WHERE username = '2024001'",
                (username,),
            )
    finally:
        conn.close()


def upload(run, clip: Path, token: str, period: int) -> str:
    client = tus_client.TusClient(
        run.url + "/api/v1/uploads/", headers={"Authorization": f"Bearer {token}"}
    )
    with open(clip, "rb") as stream:
        uploader = client.uploader(
            file_stream=stream,
            chunk_size=5 * 1024 * 1024,
            metadata={"filename": clip.name, "period": str(period)},
        )
        uploader.upload()
    return uploader.url


def wait_healthy(run, timeout: float = 300) -> None:
    run.wait_until(
        "a healthy launcher",
        lambda: (r := run.healthz()) is not None and r.status_code == 200,
        timeout,
    )


def kill_worker_and_time_restart(run, report: dict, label: str) -> None:
    """SIGKILL the one worker; measure until a new one runs and until it heartbeats in Redis."""
    (old,) = run.workers()
    children_before = table(old.children(recursive=True))
    old_pid = old.pid
    killed_at = time.monotonic()
    old.send_signal(signal.SIGKILL)
    answers = []

    def replaced():
        resp = run.healthz()
        answers.append(None if resp is None else resp.status_code)
        return [p for p in run.workers() if p.pid != old_pid]

    (new,) = run.wait_until(f"a new worker after {label}", replaced, 30, every=0.1)
    spawned = time.monotonic() - killed_at

    def registered():
        resp = run.healthz()
        answers.append(None if resp is None else resp.status_code)
        if resp is None:
            return False
        body = resp.json()
        return body["workers"]["alive"] >= 1 and _worker_pids(run) >= {new.pid}

    run.wait_until(f"the new worker to register after {label}", registered, 120, every=0.2)
    report[label] = {
        "killed_pid": old_pid,
        "killed_process_group": children_before,
        "new_pid": new.pid,
        "seconds_to_new_process": round(spawned, 2),
        "seconds_to_registered_worker": round(time.monotonic() - killed_at, 2),
        "healthz_answers_meanwhile": sorted({str(a) for a in answers}),
    }
    assert None not in answers, "the web server stopped answering while the worker was down"
    assert spawned < 5, spawned
    assert not psutil.pid_exists(old_pid) or psutil.Process(old_pid).status() == "zombie"


def _worker_pids(run) -> set[int]:
    from redis import Redis
    from rq import Worker

    conn = Redis(unix_socket_path=str(run.instance / "redis" / "redis.sock"))
    try:
        return {w.pid for w in Worker.all(connection=conn)}
    finally:
        conn.close()


@pytest.mark.slow
def test_worker_killed_mid_transcode_and_mid_transcription(launcher, tmp_path):
    before = {p.pid for p in psutil.process_iter()}
    run = launcher(**FAST)
    run.start()
    wait_healthy(run)
    report: dict = {"processes_while_running": table(marked(run.mark, run.instance))}
    # Two activists: a second upload by the same one would replace (supersede) the first.
    second_activist(run, "2024009")
    tokens = [
        requests.post(
            run.url + "/api/v1/session",
            json={"username": username, "password": "huibao-demo"},
            timeout=10,
        ).json()["token"]
        for username in ("2024001", "2024009")
    ]
    ((period,),) = run.db("SELECT id FROM periods ORDER BY id LIMIT 1")
    clip = make_clip(tmp_path / "报告.mp4")
    for token in tokens:
        upload(run, clip, token, period)

    def transcoding():
        (worker,) = run.workers() or [None]
        if worker is None:
            return False
        try:
            kids = worker.children(recursive=True)
            return any(
                "ffmpeg" in " ".join(k.cmdline()) and "playable" in " ".join(k.cmdline())
                for k in kids
            )
        except psutil.NoSuchProcess:
            return False

    run.wait_until("ffmpeg transcoding", transcoding, 240, every=0.1)
    kill_worker_and_time_restart(run, report, "sigkill_mid_transcode")

    def transcribing():
        return any(
            v["stage"] == "transcribe" and v["state"] == "processing" for v in run.videos().values()
        )

    run.wait_until("a transcription", transcribing, 300, every=0.1)
    time.sleep(1.0)  # well inside Whisper now
    assert transcribing(), run.videos()
    kill_worker_and_time_restart(run, report, "sigkill_mid_transcription")

    def all_ready():
        videos = run.videos()
        assert not any(v["state"] == "failed" for v in videos.values()), videos
        return len(videos) == 2 and all(v["state"] == "ready" for v in videos.values())

    run.wait_until("both videos ready", all_ready, 600, every=1.0)
    report["videos"] = run.videos()
    assert requests.get(run.url + "/login", timeout=10).status_code == 200
    started = time.monotonic()
    assert run.stop(signal.SIGINT) == 0  # Ctrl-C
    report["seconds_to_stop"] = round(time.monotonic() - started, 2)
    time.sleep(1.0)
    left = marked(run.mark, run.instance)
    report["processes_after_shutdown"] = table(left)
    report["new_processes_after_shutdown"] = table(
        [p for p in psutil.process_iter() if p.pid not in before and p in left]
    )
    report["launcher_log"] = [
        line
        for line in run.log().splitlines()
        if "重启" in line or "退出" in line or "停止" in line
    ]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "launcher.log").write_text(run.log())
    (ARTIFACTS / "sigkill.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    assert left == [], table(left)
    assert "worker-1 意外退出（被信号 SIGKILL 终止" in run.log()
    assert "worker-1 exited unexpectedly (killed by SIGKILL" in run.log()


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_stopping_the_launcher_leaves_nothing_behind(launcher, sig):
    run = launcher(WORKERS="2", RECONCILE_SECONDS="5")
    run.start()
    wait_healthy(run)
    running = marked(run.mark, run.instance)
    names = " ".join(" ".join(p.cmdline()) for p in running)
    assert names.count("workers.worker") >= 2  # two workers (plus their reconcilers)
    assert "redis-server" in names and "gunicorn" in names
    if sig == signal.SIGKILL:
        run.proc.kill()  # no chance to clean up: the children must notice on their own
        run.proc.wait()
    else:
        assert run.stop(sig) == 0
    run.wait_until(
        "every child to be gone", lambda: not marked(run.mark, run.instance), 60, every=0.5
    )
