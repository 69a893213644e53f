"""RQ job that builds a committee export file (queue `default`), reporting progress."""

from __future__ import annotations

import os

from rq import get_current_job

from review import storage


def build_export(kind: str, period_id: int, branch_id: int | None = None) -> str:
    """Write the export of a period (or branch) to storage.export_file(job id, kind).

    Writes to a temporary name and renames it into place, so a half-written file is never
    offered for download; a re-run overwrites the same path. Returns the file's path.
    """
    from review.services.exports.csv import iter_csv
    from review.services.exports.rows import build_table
    from review.services.exports.xlsx import write_xlsx
    from review.services.exports.zip import write_zip

    job = get_current_job()
    job_id = job.id if job is not None else f"export-{kind}-{period_id}-{branch_id or 0}-local"

    def progress(fraction: float) -> None:
        if job is not None:
            job.meta["progress"] = round(0.1 + 0.9 * fraction, 3)
            job.save_meta()

    table = build_table(period_id, branch_id)
    progress(0.0)
    final = storage.export_file(job_id, kind)
    partial = final.with_name(final.name + ".part")
    if kind == "xlsx":
        write_xlsx(table, str(partial), progress)
    elif kind == "csv":
        with open(partial, "wb") as out:
            for chunk in iter_csv(table):
                out.write(chunk)
        progress(1.0)
    elif kind == "zip":
        with open(partial, "wb") as out:
            write_zip(period_id, branch_id, out, progress, table=table)
    else:
        raise ValueError(f"unknown export kind {kind!r}")
    os.replace(partial, final)
    return str(final)
