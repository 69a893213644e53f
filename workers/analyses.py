"""RQ job: the analyses of one submission version (queue `default`)."""

from __future__ import annotations


def analyse_version(version_id: int) -> None:
    """Run and store the analyses of a version; idempotent (results are replaced, not added).

    Args:
        version_id: the SubmissionVersion to analyse.
    """
    from review.services.analyses import run_analyses

    run_analyses(version_id)
