"""Security headers on every answer, no inline script, private caching, private file modes."""

from __future__ import annotations

import io
import re
import stat
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas
from sqlalchemy import select

from review.extensions import db
from review.models import PaperFile
from tests.access.conftest import login

ROOT = Path(__file__).resolve().parents[2]


def check_headers(resp) -> None:
    """Assert the headers every non-static answer carries."""
    csp = resp.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp, (resp.request.path, csp)
    if resp.mimetype == "text/html":
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert directives["script-src"] == "'self'", csp
        assert "unsafe" not in csp
    assert resp.headers.get("Referrer-Policy") == "same-origin"
    assert "no-store" in resp.headers.get("Cache-Control", ""), resp.request.path
    assert resp.headers.get("X-Content-Type-Options") == "nosniff"


def test_pages_media_and_api_carry_the_headers(client, report, token_for):
    submitted = report("submitted")
    pdf = db.session.scalar(
        select(PaperFile).where(
            PaperFile.version_id == submitted.current.id, PaperFile.kind == "pdf"
        )
    )
    for url in ("/login", "/api/v1/openapi.json", "/no-such-page"):
        check_headers(client.get(url))
    login(client, "r1")
    for url in (
        "/reviews/",
        f"/reviews/{submitted.id}",
        f"/reviews/{submitted.id}/video",
        f"/reviews/{submitted.id}/poster",
        f"/reviews/{submitted.id}/captions.vtt",
        "/search/?q=党章",
        f"/search/analyses/{submitted.id}",
        "/api/v1/submissions",
        f"/api/v1/submissions/{submitted.id}",
    ):
        resp = client.get(url)
        assert resp.status_code == 200, url
        check_headers(resp)
        resp.close()
    page = client.get(f"/reviews/{submitted.id}/paper/{pdf.id}/pages/1")
    assert page.status_code == 200 and page.mimetype == "image/jpeg"
    check_headers(page)
    assert page.headers["X-Frame-Options"] == "DENY"
    login(client, "c1")
    for url in (
        "/committee/",
        f"/committee/submissions/{submitted.id}",
        f"/committee/submissions/{submitted.id}/assessment.pdf",
        "/committee/audit",
    ):
        resp = client.get(url)
        assert resp.status_code == 200, url
        check_headers(resp)
        assert resp.headers["X-Frame-Options"] == "DENY"
    headers = token_for("c1")
    resp = client.get(f"/api/v1/periods/{submitted.period_id}/export.csv", headers=headers)
    assert resp.status_code == 200
    check_headers(resp)


def test_static_files_stay_cacheable(client):
    resp = client.get("/static/js/review.js")
    assert resp.status_code == 200 and "no-store" not in resp.headers.get("Cache-Control", "")
    resp.close()


INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)


def test_no_inline_script_in_any_template():
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_HANDLER, INLINE_SCRIPT):
            found += [
                f"{path.relative_to(ROOT)}: {m.group(0)[:80]}" for m in pattern.finditer(text)
            ]
        if "javascript:" in text:
            found.append(f"{path.relative_to(ROOT)}: javascript: URL")
    assert not found, "\n".join(found)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_files_under_instance_are_private(make_app, tmp_path):
    instance = tmp_path / "fresh-instance"
    app = make_app(INSTANCE_DIR=instance, MEDIA_ROOT=instance / "media", SECRET_KEY=None)
    with app.app_context():
        from datetime import date, timedelta

        from review.services import accounts, periods
        from review.services import search as search_service
        from tests.fixtures.app import PASSWORD

        accounts.create_branch("一支部")
        accounts.create_user("a1", "李明", "activist", PASSWORD, ["一支部"])
        period = periods.open_period(
            "2026年第四季度", date.today() - timedelta(days=3), date.today() + timedelta(days=30)
        )
        client = app.test_client()
        login(client, "a1")
        pdf = io.BytesIO()
        sheet = canvas.Canvas(pdf)
        sheet.drawString(72, 720, "Thought report")
        sheet.save()
        resp = client.post(
            f"/my/periods/{period.id}/paper/file",
            data={"document": (io.BytesIO(pdf.getvalue()), "report.pdf")},
            content_type="multipart/form-data",
        )
        assert resp.status_code in (200, 302), resp.get_data(as_text=True)[:300]
        search_service.rebuild()
        stored = [
            Path(app.config["MEDIA_ROOT"]) / p.path for p in db.session.scalars(select(PaperFile))
        ]
    assert stored, "the upload stored no paper file"
    assert _mode(instance) == 0o700 and _mode(instance / "media") == 0o700
    assert _mode(instance / "secret_key") == 0o600
    written = [p for p in instance.rglob("*")]
    assert any(p.suffix == ".pdf" for p in written)
    wrong = [f"{p.relative_to(instance)} {oct(_mode(p))}" for p in written if _mode(p) & 0o077]
    assert not wrong, wrong


@pytest.mark.parametrize("umask", [0o027])
def test_the_umask_is_configurable(make_app, tmp_path, umask):
    instance = tmp_path / "shared-instance"
    make_app(INSTANCE_DIR=instance, MEDIA_ROOT=instance / "media", FILE_UMASK=umask)
    assert _mode(instance) == 0o750
    make_app(INSTANCE_DIR=instance, MEDIA_ROOT=instance / "media")  # back to the default
    assert _mode(instance) == 0o700
