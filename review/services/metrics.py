"""Operational counters kept in Redis and rendered for Prometheus.

Web processes and workers on any host write a few Redis hash fields (HINCRBY: one round trip,
no lock); a scrape of `/metrics` reads them back with a handful of O(1) Redis calls and one
cached, indexed GROUP BY. Recording never raises: a metric must not break an upload or a job.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import current_app
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from redis.exceptions import RedisError
from sqlalchemy import func, select

from review.extensions import db
from review.models import Video, VideoState

log = logging.getLogger(__name__)

JOB_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1800)  # seconds; Whisper on CPU reaches minutes
STATE_CACHE_SECONDS = 15.0
_state_cache: dict[str, Any] = {"at": 0.0, "counts": {}}


def _key(name: str) -> str:
    return current_app.config["REDIS_PREFIX"] + "metrics:" + name


def add_upload_bytes(count: int) -> None:
    """Count bytes stored by the tus endpoint."""
    if count <= 0:
        return
    try:
        current_app.extensions["redis"].incrby(_key("upload_bytes"), count)
    except RedisError:
        log.warning("metrics: redis unavailable, upload bytes not counted")


def observe_job(step: str, seconds: float, ok: bool) -> None:
    """Record one job's run time in the histogram of its step, and count a failure."""
    fields = {f"{step}|count": 1, f"{step}|{'ok' if ok else 'failed'}": 1}
    for bound in JOB_BUCKETS:
        if seconds <= bound:
            fields[f"{step}|le|{bound}"] = 1
    try:
        with current_app.extensions["redis"].pipeline(transaction=False) as pipe:
            for field, amount in fields.items():
                pipe.hincrby(_key("jobs"), field, amount)
            pipe.hincrbyfloat(_key("jobs"), f"{step}|sum", seconds)
            pipe.execute()
    except RedisError:
        log.warning("metrics: redis unavailable, job time of %s not recorded", step)


def video_counts() -> dict[str, int]:
    """Return videos per processing state, read at most every STATE_CACHE_SECONDS."""
    moment = time.monotonic()
    if moment - float(_state_cache["at"]) > STATE_CACHE_SECONDS:
        rows = db.session.execute(select(Video.state, func.count()).group_by(Video.state)).all()
        _state_cache["counts"] = {state: n for state, n in rows}
        _state_cache["at"] = moment
    return dict(_state_cache["counts"])


class HuibaoCollector:
    """Collect the product's metrics at scrape time (prometheus_client custom collector)."""

    def collect(self):  # noqa: ANN201
        """Yield the metric families."""
        videos = GaugeMetricFamily("huibao_videos", "Videos by processing state", labels=["state"])
        counts = video_counts()
        for state in VideoState:
            videos.add_metric([state.value], counts.get(state.value, 0))
        yield videos
        try:
            yield from self._redis_families()
            up = 1
        except RedisError:
            up = 0
        yield GaugeMetricFamily("huibao_redis_up", "Whether Redis answered this scrape", value=up)

    def _redis_families(self):  # noqa: ANN202
        from rq.registry import FailedJobRegistry, StartedJobRegistry

        from review.services.health import worker_heartbeats

        connection = current_app.extensions["redis"]
        queued = GaugeMetricFamily("huibao_queue_jobs", "Jobs waiting per queue", labels=["queue"])
        started = GaugeMetricFamily("huibao_queue_started_jobs", "Jobs running", labels=["queue"])
        failed = GaugeMetricFamily(
            "huibao_queue_failed_jobs", "Jobs in RQ's failed registry", labels=["queue"]
        )
        for name, queue in current_app.extensions["rq"].items():
            queued.add_metric([name], queue.count)
            # ZCARD straight away: the registries' count() would run a cleanup on every scrape.
            started.add_metric([name], connection.zcard(StartedJobRegistry(queue=queue).key))
            failed.add_metric([name], connection.zcard(FailedJobRegistry(queue=queue).key))
        yield from (queued, started, failed)
        beats = worker_heartbeats()
        yield GaugeMetricFamily(
            "huibao_workers_alive",
            "Workers whose heartbeat is fresh",
            value=sum(1 for b in beats if b.alive),
        )
        if beats:
            yield GaugeMetricFamily(
                "huibao_worker_heartbeat_age_seconds",
                "Seconds since the newest worker heartbeat",
                value=min(b.age for b in beats),
            )
        uploaded = connection.get(_key("upload_bytes"))
        yield CounterMetricFamily(
            "huibao_upload_bytes", "Bytes received by the tus endpoint", value=int(uploaded or 0)
        )
        yield from _job_families(connection.hgetall(_key("jobs")))


def _job_families(raw: dict) -> list:
    fields = {k.decode(): float(v) for k, v in raw.items()}
    steps = sorted({name.split("|", 1)[0] for name in fields})
    seconds = HistogramMetricFamily(
        "huibao_job_duration_seconds", "Run time of pipeline jobs per step", labels=["step"]
    )
    failures = CounterMetricFamily(
        "huibao_jobs_failed", "Jobs that raised, per step", labels=["step"]
    )
    for step in steps:
        buckets = [(str(b), fields.get(f"{step}|le|{b}", 0.0)) for b in JOB_BUCKETS]
        buckets.append(("+Inf", fields.get(f"{step}|count", 0.0)))
        seconds.add_metric([step], buckets, sum_value=fields.get(f"{step}|sum", 0.0))
        failures.add_metric([step], fields.get(f"{step}|failed", 0.0))
    return [seconds, failures]


def render() -> bytes:
    """Return the metrics in the Prometheus text exposition format."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(HuibaoCollector())
    return generate_latest(registry)
