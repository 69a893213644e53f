"""RQ job: the analyses of one submission version (queue `default`)."""

from __future__ import annotations

import os

from rq import get_current_job

from review.extensions import db


def _in_forked_horse() -> bool:
    # A forking Worker sets RQ_JOB_ID before it forks the work horse; a SimpleWorker (tests,
    # in-process runs) does not, and there the pool is this process's own.
    job = get_current_job()
    return job is not None and os.environ.get("RQ_JOB_ID") == job.id


def analyse_version(version_id: int) -> None:
    """Run and store the analyses of a version; idempotent (results are replaced, not added).

    Args:
        version_id: the SubmissionVersion to analyse.
    """
    from review.services.analyses import run_analyses

    if _in_forked_horse():
        db.engine.dispose(close=False)  # never share the parent's pooled connections
    run_analyses(version_id)
