"""Crafted query strings never reach url_for as arguments: pages answer, not 500."""

from __future__ import annotations

import pytest

QUERIES = ["_method=XYZ", "_method=DELETE", "endpoint=x", "_external=1", "_anchor=x", "_scheme=ftp"]


@pytest.mark.parametrize("query", QUERIES)
def test_login_page_ignores_url_for_names(client, query):
    resp = client.get(f"/login?{query}")
    assert resp.status_code == 200
    assert "登录" in resp.get_data(as_text=True)


@pytest.mark.parametrize("query", QUERIES)
def test_reviewer_queue_ignores_url_for_names(client, auth, query):
    auth.login("r1")
    resp = client.get(f"/reviews/?{query}")
    assert resp.status_code == 200


def test_language_switch_keeps_the_query(client, auth):
    auth.login("r1")
    page = client.get("/reviews/?state=submitted&endpoint=x").get_data(as_text=True)
    assert "/reviews/?state=submitted&amp;endpoint=x&amp;lang=en" in page
