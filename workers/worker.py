"""Start an RQ worker with the Flask app context: `python -m workers.worker [QUEUE...]`."""

from __future__ import annotations

import argparse

from rq import SimpleWorker

from review.queues import QUEUE_NAMES


class AppWorker(SimpleWorker):
    """A SimpleWorker that ends the job's database session after every job."""

    def perform_job(self, job, queue):  # noqa: ANN001, ANN201
        from review.extensions import db

        try:
            return super().perform_job(job, queue)
        finally:
            db.session.remove()  # no snapshot or open transaction carries over to the next job


def build_worker(queue_names: list[str], *, app=None) -> SimpleWorker:  # noqa: ANN001
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
    return AppWorker(queues, connection=app.extensions["redis"])


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and work until stopped."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("queues", nargs="*", default=list(QUEUE_NAMES))
    parser.add_argument("--burst", action="store_true", help="Quit when the queues are empty.")
    parser.add_argument(
        "--reconcile-every",
        type=float,
        default=60.0,
        help="Seconds between reconciler runs (0 turns it off).",
    )
    args = parser.parse_args(argv)
    worker = build_worker(args.queues)
    if args.reconcile_every > 0:
        from workers import reconciler

        reconciler.start(args.reconcile_every)
    worker.work(with_scheduler=True, burst=args.burst)


if __name__ == "__main__":
    main()
