"""`GET /metrics`: Prometheus text with the product's counters, only for the internal network."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families
from rq import Queue

from review.services import metrics
from tests.tus.conftest import TUS, metadata, patch

OUTSIDE = {"REMOTE_ADDR": "203.0.113.9"}


def samples(text: str) -> dict[tuple[str, tuple], float]:
    """Parse an exposition into {(sample name, sorted labels): value}."""
    found = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            found[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return found


def scrape(client, **kwargs) -> dict:
    resp = client.get("/metrics", **kwargs)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.mimetype == "text/plain"
    return samples(resp.get_data(as_text=True))


@pytest.fixture(autouse=True)
def _fresh_state_cache():
    metrics._state_cache["at"] = 0.0


def test_outside_callers_need_the_token(make_app):
    app = make_app(METRICS_TOKEN="s3cret-scrape")
    client = app.test_client()
    assert client.get("/metrics", environ_base=OUTSIDE).status_code == 403
    bad = {"Authorization": "Bearer wrong"}
    assert client.get("/metrics", environ_base=OUTSIDE, headers=bad).status_code == 403
    good = {"Authorization": "Bearer s3cret-scrape"}
    assert client.get("/metrics", environ_base=OUTSIDE, headers=good).status_code == 200
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1


def test_no_token_configured_means_no_outside_access(client):
    empty = {"Authorization": "Bearer "}
    assert client.get("/metrics", environ_base=OUTSIDE, headers=empty).status_code == 403


def test_internal_networks_are_configurable(make_app):
    client = make_app(METRICS_ALLOW="10.0.0.0/8, 203.0.113.0/24").test_client()
    assert client.get("/metrics", environ_base=OUTSIDE).status_code == 200
    assert client.get("/metrics").status_code == 403  # loopback is no longer listed


def test_videos_by_state_queues_and_workers(client, app, ingest, tmp_path, registered_worker):
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00" * 64)
    ingest(clip)  # one uploaded video, its probe job queued
    registered_worker(age=3)
    found = scrape(client)
    assert found[("huibao_videos", (("state", "uploaded"),))] == 1
    assert found[("huibao_videos", (("state", "ready"),))] == 0
    assert found[("huibao_queue_jobs", (("queue", "media"),))] == 1
    assert found[("huibao_queue_failed_jobs", (("queue", "media"),))] == 0
    assert found[("huibao_workers_alive", ())] == 1
    assert 2 <= found[("huibao_worker_heartbeat_age_seconds", ())] < 30
    assert found[("huibao_redis_up", ())] == 1


def test_job_durations_and_failures_per_step(client, app):
    from workers.worker import AppWorker

    queue: Queue = app.extensions["rq"]["default"]
    queue.enqueue("json.loads", "[1]")
    queue.enqueue("json.loads", "[1]")
    queue.enqueue("json.loads", "{not json")
    AppWorker([queue], connection=app.extensions["redis"]).work(burst=True)
    found = scrape(client)
    assert found[("huibao_job_duration_seconds_count", (("step", "loads"),))] == 3
    assert found[("huibao_job_duration_seconds_bucket", (("le", "1"), ("step", "loads")))] == 3
    assert found[("huibao_job_duration_seconds_sum", (("step", "loads"),))] < 3
    assert found[("huibao_jobs_failed_total", (("step", "loads"),))] == 1
    assert found[("huibao_queue_failed_jobs", (("queue", "default"),))] == 1


def test_upload_bytes_count_what_the_tus_endpoint_stored(client, token_for, people):
    a1 = {**token_for("a1"), **TUS}
    before = scrape(client).get(("huibao_upload_bytes_total", ()), 0)
    meta = metadata(filename="汇报.mp4", period=str(people["period"].id))
    resp = client.post(
        "/api/v1/uploads/", headers={**a1, "Upload-Length": "5000", "Upload-Metadata": meta}
    )
    assert resp.status_code == 201, resp.get_data(as_text=True)
    url = resp.headers["Location"]
    assert patch(client, url, a1, b"x" * 3000, 0).status_code == 204
    assert patch(client, url, a1, b"x" * 10, 0).status_code == 409  # refused: not counted
    assert scrape(client)[("huibao_upload_bytes_total", ())] == before + 3000


def test_a_scrape_reads_the_database_at_most_every_few_seconds(client, app):
    from sqlalchemy import event

    from review.extensions import db

    statements = []

    def count(*_args) -> None:
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        for _ in range(5):
            scrape(client)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1


def test_redis_down_still_answers(app_without_redis):
    found = scrape(app_without_redis.test_client())
    assert found[("huibao_redis_up", ())] == 0
    assert ("huibao_videos", (("state", "ready"),)) in found
