"""Fixtures for the web tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def client(isolated_client):
    """The isolated client: each request in a fresh app context, as in production."""
    return isolated_client
