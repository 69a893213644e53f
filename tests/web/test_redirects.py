"""One safe-redirect rule for every `next=`: login and the committee's decision page."""

from __future__ import annotations

import pytest

from review.auth.redirects import safe_next
from tests.fixtures.app import PASSWORD

OFF_SITE = [
    "http://evil.example/",
    "//evil.example/x",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\\evil.example",
    "/\\/evil.example",
    " //evil.example",
    "javascript:alert(1)",
    "queue",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_off_site_targets_are_refused(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("target", ["/", "/committee/?branch=2", "/reviews/5#c3", "/my/%E4%B8%80"])
def test_site_paths_are_kept(target):
    assert safe_next(target) == target


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_stays_on_site(client, target):
    resp = client.post(
        "/login", query_string={"next": target}, data={"username": "r1", "password": PASSWORD}
    )
    assert resp.status_code == 302 and resp.location == "/"
