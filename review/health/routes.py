"""`GET /healthz` (JSON, 200 or 503) and `GET /metrics` (Prometheus text, internal or token)."""

from __future__ import annotations

import hmac
import ipaddress

from flask import Response, abort, current_app, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST

from review.health import bp
from review.services import health, metrics


@bp.route("/healthz")
def healthz() -> Response:
    """Report database, Redis, free disk and worker heartbeats; 503 when one is not fine."""
    ok, report = health.check()
    resp = jsonify(status="ok" if ok else "fail", **report)
    resp.status_code = 200 if ok else 503
    resp.headers["Cache-Control"] = "no-store"
    return resp


def may_scrape() -> bool:
    """Allow the configured internal networks, or a request with the METRICS_TOKEN bearer token."""
    token = current_app.config.get("METRICS_TOKEN") or ""
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        addr = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    networks = current_app.config.get("METRICS_ALLOW") or ""
    return any(
        addr in ipaddress.ip_network(net.strip(), strict=False)
        for net in networks.split(",")
        if net.strip()
    )


@bp.route("/metrics")
def scrape() -> Response:
    """Return the metrics in Prometheus text format."""
    if not may_scrape():
        abort(403)
    resp = Response(metrics.render(), mimetype=CONTENT_TYPE_LATEST)
    resp.headers["Cache-Control"] = "no-store"
    return resp
