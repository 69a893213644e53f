"""Fixtures for the web tests."""

from __future__ import annotations

import contextvars

import pytest


@pytest.fixture
def client(app, people):
    """A client whose requests each get a fresh app context, and so their own `g`, as in production.

    The shared `client` fixture's requests run inside the app context that the `app` fixture
    keeps pushed and share its `g`: the fixtures forget Flask-Login's user at each request, but
    anything else cached on `g` (Flask-Babel's locale, for one) survives into later requests.
    """
    client = app.test_client()
    shared_open = client.open
    client.open = lambda *args, **kwargs: contextvars.Context().run(shared_open, *args, **kwargs)
    return client
