"""Start an RQ worker with the Flask app context: `python -m workers.worker [QUEUE...]`."""

from __future__ import annotations

import argparse
import threading
import time

from flask import Flask
from rq import Queue, SimpleWorker
from rq.job import Job
from rq.worker import WorkerStatus

from review.queues import QUEUE_NAMES


class AppWorker(SimpleWorker):
    """A SimpleWorker that heartbeats while a job runs and times each job.

    A SimpleWorker runs the job in its own thread and, left alone, would not heartbeat until the
    job ends (up to its timeout: minutes for Whisper). A small thread refreshes the worker's and
    the job's heartbeat every JOB_HEARTBEAT_TTL / 3 seconds, so a worker killed mid-job shows as
    dead within JOB_HEARTBEAT_TTL and RQ's registry cleanup retries its job (workers.reconciler).
    """

    job_heartbeat_ttl = 30

    def get_heartbeat_ttl(self, job: Job) -> int:
        """Let the started-job entry expire soon after the last heartbeat (not at the timeout)."""
        return int(self.job_heartbeat_ttl)

    def execute_job(self, job: Job, queue: Queue) -> None:
        """Run the job with a heartbeat thread beside it."""
        done = threading.Event()
        beat = threading.Thread(target=self._beat, args=(job, done), name="heartbeat", daemon=True)
        self.prepare_execution(job)
        beat.start()
        try:
            self.perform_job(job, queue)
        finally:
            done.set()
            beat.join(timeout=5)
        self.set_state(WorkerStatus.IDLE)

    def _beat(self, job: Job, done: threading.Event) -> None:
        while not done.wait(self.job_heartbeat_ttl / 3):
            try:
                self.maintain_heartbeats(job)
            except Exception:  # a missed beat is retried at the next tick
                self.log.warning("heartbeat failed", exc_info=True)

    def perform_job(self, job: Job, queue: Queue) -> bool:
        """Run the job, record its run time per step, and end its database session."""
        from review.extensions import db
        from review.services import metrics

        started, ok = time.monotonic(), False
        try:
            ok = super().perform_job(job, queue)
            return ok
        finally:
            db.session.remove()  # no snapshot or open transaction carries over to the next job
            metrics.observe_job(_step_of(job), time.monotonic() - started, bool(ok))


def _die_with_parent(_worker: object) -> None:
    """Ask Linux to stop this forked child (RQ's scheduler) when the worker dies, even killed."""
    import ctypes
    import signal
    import sys

    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _step_of(job: Job) -> str:
    """Name a job's step by its function: workers.jobs.transcode_video → transcode_video."""
    return (job.func_name or "unknown").rsplit(".", 1)[-1]


def build_worker(queue_names: list[str], *, app: Flask | None = None) -> SimpleWorker:
    """Create the app once and a worker whose jobs run inside its app context.

    Jobs run in the worker's own process (SimpleWorker), not in a forked child per job:
    the Whisper model then loads once per worker instead of once per job, and CUDA works.
    Run one worker per core with WHISPER_THREADS=1 (docs/performance.md).
    """
    from review import create_app

    app = app or create_app()
    context = app.app_context()
    context.push()  # the jobs of this worker run inside this app context
    from workers import jobs  # noqa: F401

    queues = [app.extensions["rq"][name] for name in queue_names]
    if "asr" in queue_names:
        from review.services.asr import get_engine

        get_engine()  # load the model now, before the first job waits for it
    worker = AppWorker(
        queues, connection=app.extensions["redis"], worker_ttl=app.config["WORKER_TTL"]
    )
    worker.job_heartbeat_ttl = app.config["JOB_HEARTBEAT_TTL"]
    return worker


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and work until stopped."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("queues", nargs="*", default=list(QUEUE_NAMES))
    parser.add_argument("--burst", action="store_true", help="Quit when the queues are empty.")
    parser.add_argument(
        "--reconcile-every",
        type=float,
        default=None,
        help="Seconds between reconciler runs (default RECONCILE_SECONDS; 0 turns it off).",
    )
    args = parser.parse_args(argv)
    worker = build_worker(args.queues)
    from flask import current_app

    every = args.reconcile_every
    if every is None:
        every = current_app.config["RECONCILE_SECONDS"]
    if every > 0:
        from workers import reconciler

        reconciler.start(every)
    from multiprocessing.util import register_after_fork

    register_after_fork(worker, _die_with_parent)  # RQ forks its scheduler with multiprocessing
    worker.work(with_scheduler=True, burst=args.burst)


if __name__ == "__main__":
    main()
