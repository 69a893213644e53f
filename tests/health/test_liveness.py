"""Worker liveness: a busy worker keeps heartbeating, and the admin sees who is alive."""

from __future__ import annotations

import threading
import time

from rq.registry import StartedJobRegistry

from workers.worker import AppWorker


def test_a_busy_worker_heartbeats_and_its_job_entry_expires_soon(app):
    queue = app.extensions["rq"]["default"]
    connection = app.extensions["redis"]
    queue.enqueue("time.sleep", 3, job_timeout=600)
    worker = AppWorker([queue], connection=connection)
    worker.job_heartbeat_ttl = 2  # a beat every 0.67 s
    beats, expiries, stop = set(), [], threading.Event()

    def sample() -> None:
        registry = StartedJobRegistry(queue=queue)
        while not stop.wait(0.1):
            beat = connection.hget(worker.key, "last_heartbeat")
            if connection.zcard(registry.key):  # the job is running
                beats.add(beat)
                score = connection.zrange(registry.key, 0, 0, withscores=True)[0][1]
                expiries.append(score - time.time())

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        worker.work(burst=True)
    finally:
        stop.set()
        sampler.join()
    # Without the heartbeat thread a SimpleWorker beats once as the job starts and once after.
    assert len(beats) >= 3, beats
    # The started-job entry lives JOB_HEARTBEAT_TTL past the last beat, not the job's 600 s + 60.
    assert expiries and max(expiries) < 5, expiries


def test_admin_sees_which_workers_are_alive(client, auth, people, registered_worker):
    registered_worker(age=4, name="host-a-worker")
    registered_worker(age=900, name="host-b-crashed")
    auth.login("admin")
    page = client.get("/admin/queue").get_data(as_text=True)
    alive = page.index("host-a-worker")
    dead = page.index("host-b-crashed")
    assert "运行中" in page[alive : alive + 300]
    assert "无心跳" in page[dead : dead + 300]
    assert "最近心跳：4 秒前" in page or "最近心跳：5 秒前" in page
    assert "没有存活的处理进程" not in page
    assert '<span class="badge">?</span>' not in page  # RQ's raw state is not shown


def test_admin_is_warned_when_no_worker_is_alive(client, auth, people, registered_worker):
    registered_worker(age=900, name="host-b-crashed")
    auth.login("admin")
    page = client.get("/admin/queue").get_data(as_text=True)
    assert "没有存活的处理进程" in page
