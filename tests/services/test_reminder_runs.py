"""Who runs the scan: `flask notify run-due` and the loop beside every worker."""

from __future__ import annotations

import pytest

from tests.services.reminder_data import rows
from workers import reconciler


def test_flask_notify_run_due_writes_each_reminder_once(runner, people):
    first = runner.invoke(args=["notify", "run-due"])
    assert first.exit_code == 0, first.output
    assert "新写入 2 条通知" in first.output  # a1 and a2: the period is open
    again = runner.invoke(args=["notify", "run-due"])
    assert "新写入 0 条通知" in again.output
    assert len(rows("period_opened")) == 2


@pytest.mark.committed_db
def test_the_worker_loop_scans_unless_another_worker_is_scanning(app, people):
    lock = app.extensions["redis"].lock(app.config["REDIS_PREFIX"] + "remind", timeout=60)
    assert lock.acquire(blocking=False)
    try:
        assert reconciler.remind_once(app) is None  # another host holds the scan
    finally:
        lock.release()
    assert reconciler.remind_once(app) == {"period_opened": 2}
    assert reconciler.remind_once(app) == {"period_opened": 0}
    assert len(rows("period_opened")) == 2
