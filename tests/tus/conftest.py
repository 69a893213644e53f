"""Helpers for the tus tests: headers and creating uploads (the live server is shared)."""

from __future__ import annotations

import base64

import pytest

TUS = {"Tus-Resumable": "1.0.0"}
OCTET = "application/offset+octet-stream"


def metadata(**values: str | None) -> str:
    """Encode Upload-Metadata the way tus clients do."""
    return ",".join(
        k if v is None else f"{k} {base64.b64encode(v.encode()).decode()}"
        for k, v in values.items()
    )


@pytest.fixture
def a1(token_for, people):
    """Headers of activist a1 speaking tus."""
    return {**token_for("a1"), **TUS}


@pytest.fixture
def create(client, people):
    """Return a function that creates an upload and returns its path."""

    def make(
        headers: dict,
        length: int = 10,
        *,
        filename: str | None = "汇报.mp4",
        period: str | None = None,
        expect: int = 201,
    ):
        meta = {
            "filename": filename,
            "period": str(people["period"].id) if period is None else period,
        }
        resp = client.post(
            "/api/v1/uploads/",
            headers={**headers, "Upload-Length": str(length), "Upload-Metadata": metadata(**meta)},
        )
        assert resp.status_code == expect, resp.get_data(as_text=True)
        return resp.headers.get("Location")

    return make


def patch(client, url: str, headers: dict, body: bytes, offset: int, **extra):
    """Send one tus PATCH."""
    return client.patch(
        url,
        data=body,
        headers={**headers, "Upload-Offset": str(offset), "Content-Type": OCTET, **extra},
    )
