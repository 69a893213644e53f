"""Enqueue RQ jobs under deterministic ids, once: a queued or running duplicate is refused."""

from __future__ import annotations

from flask import current_app
from rq import Retry
from rq.exceptions import DuplicateJobError


def enqueue_unique(
    queue: str, job_id: str, func: str, args: tuple[int, ...], timeout: int, retry: Retry
) -> bool:
    """Enqueue one job; False when the same job is queued or running already."""
    drop_finished_job(job_id)
    try:
        current_app.extensions["rq"][queue].enqueue(
            func,
            *args,
            job_id=job_id,
            unique=True,
            job_timeout=timeout,
            result_ttl=3600,
            failure_ttl=7 * 86400,
            retry=retry,
        )
    except DuplicateJobError:
        return False
    return True


def drop_finished_job(job_id: str) -> None:
    """Forget a finished or failed job with this id, so that a retry can reuse the id."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job, JobStatus

    try:
        job = Job.fetch(job_id, connection=current_app.extensions["redis"])
    except NoSuchJobError:
        return
    if job.get_status(refresh=False) in (
        JobStatus.FINISHED,
        JobStatus.FAILED,
        JobStatus.STOPPED,
        JobStatus.CANCELED,
    ):
        job.delete()
