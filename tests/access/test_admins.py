"""Admins manage accounts, periods, rubrics and queues; they read no report and decide nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from review.extensions import db
from review.models import AuditEvent, Decision, PaperFile, Video
from tests.access.conftest import login
from tests.reviews.conftest import LINES, PAPER_TEXT


@pytest.fixture
def submitted(report):
    return report("submitted")


def _reads(sid: int, paper_id: int, period_id: int) -> list[str]:
    return [
        f"/reviews/{sid}",
        f"/reviews/{sid}/video",
        f"/reviews/{sid}/poster",
        f"/reviews/{sid}/captions.vtt",
        f"/reviews/{sid}/paper/{paper_id}",
        f"/search/?q={LINES[0]}",
        f"/search/analyses/{sid}",
        "/committee/",
        f"/committee/periods/{period_id}/submissions",
        f"/committee/submissions/{sid}",
        f"/committee/submissions/{sid}/assessment.pdf",
        f"/api/v1/submissions/{sid}",
        f"/api/v1/submissions/{sid}/assessment.pdf",
        f"/api/v1/periods/{period_id}/export.csv",
        f"/api/v1/periods/{period_id}/export.xlsx",
        f"/api/v1/periods/{period_id}/export.zip",
        f"/api/v1/search?q={LINES[0]}",
    ]


def test_admin_reads_no_report(client, people, submitted):
    paper = db.session.scalar(select(PaperFile).where(PaperFile.version_id == submitted.current.id))
    login(client, "admin")
    for url in _reads(submitted.id, paper.id, people["period"].id):
        resp = client.get(url, headers={"Range": "bytes=0-"})
        body = resp.get_data(as_text=False)
        resp.close()
        assert resp.status_code in (403, 404), (url, resp.status_code)
        text = body.decode("utf-8", "replace")
        assert LINES[0] not in text and "李明" not in text, url
    listed = client.get("/api/v1/submissions").get_json()["submissions"]
    assert listed == []
    assert not db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "media.view")
    )


def test_admin_decides_and_releases_nothing(client, people, submitted):
    login(client, "admin")
    criteria = submitted.period.rubric_version.criteria
    form = {f"mark-{c.id}": "1" for c in criteria} | {"outcome": "pass"}
    assert client.post(f"/committee/submissions/{submitted.id}", data=form).status_code == 403
    release = client.post(
        f"/committee/periods/{people['period'].id}/release", data={"scope": "all"}
    )
    assert release.status_code == 403
    exports = client.post(f"/committee/periods/{people['period'].id}/exports", data={"kind": "csv"})
    assert exports.status_code == 403
    assert not db.session.scalar(select(func.count()).select_from(Decision))


def test_admin_has_no_link_to_reports(client, people, submitted):
    login(client, "admin")
    html = client.get("/admin/").get_data(as_text=True)
    assert "/committee/" not in html and "/search/" not in html


def test_processing_queue_shows_the_reason_not_the_content(client, people, submitted):
    video = db.session.get(Video, submitted.current.video_id)
    video.state, video.error_code, video.error_detail = "failed", "no_audio", "ffmpeg: stream 0"
    db.session.commit()
    login(client, "admin")
    html = client.get("/admin/queue?state=failed").get_data(as_text=True)
    assert "ffmpeg: stream 0" in html and f"#{video.id}" in html
    assert LINES[0] not in html and PAPER_TEXT.splitlines()[0] not in html
    assert f"/reviews/{submitted.id}" not in html
