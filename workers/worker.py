"""Start an RQ worker with the Flask app context: `python -m workers.worker [QUEUE...]`."""
from __future__ import annotations

import argparse

from rq import Worker

from review.queues import QUEUE_NAMES


def build_worker(queue_names: list[str], *, app=None) -> Worker:  # noqa: ANN001
    """Create the app once and a Worker whose jobs run inside its app context."""
    from review import create_app

    app = app or create_app()
    context = app.app_context()
    context.push()  # jobs of this worker (and its forked work horses) see the app
    from workers import jobs  # noqa: F401  (import job code before forking)

    queues = [app.extensions["rq"][name] for name in queue_names]
    return Worker(queues, connection=app.extensions["redis"], name=None)


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and work until stopped."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("queues", nargs="*", default=list(QUEUE_NAMES))
    parser.add_argument("--burst", action="store_true", help="Quit when the queues are empty.")
    parser.add_argument("--reconcile-every", type=float, default=60.0,
                        help="Seconds between reconciler runs (0 turns it off).")
    args = parser.parse_args(argv)
    worker = build_worker(args.queues)
    if args.reconcile_every > 0:
        from workers import reconciler

        reconciler.start(args.reconcile_every)
    worker.work(with_scheduler=True, burst=args.burst)


if __name__ == "__main__":
    main()
