"""Operator endpoints: `/healthz` for monitors and load balancers, `/metrics` for Prometheus."""

from flask import Blueprint

bp = Blueprint("health", __name__)

from review.health import routes  # noqa: E402,F401  (routes attach to bp)
