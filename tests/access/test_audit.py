"""Every read of a report is audited, once per (user, file) within a window; the audit page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from review.extensions import db
from review.models import AuditEvent, PaperFile
from review.services import audit
from tests.access.conftest import login


def reads(file: str | None = None) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.action == "read").order_by(AuditEvent.id)
    if file is not None:
        stmt = stmt.where(AuditEvent.file == file)
    db.session.expire_all()
    return list(db.session.scalars(stmt))


def fetch(client, url: str, **headers) -> bytes:
    resp = client.get(url, headers=headers)
    assert resp.status_code in (200, 206), (url, resp.status_code)
    data = resp.get_data()
    resp.close()
    return data


@pytest.fixture
def submitted(report):
    return report("submitted")


def test_a_video_read_in_two_ranges_is_audited(client, people, submitted):
    video = submitted.current.video
    login(client, "r1")
    first = fetch(client, f"/reviews/{submitted.id}/video", Range="bytes=0-0")
    rest = fetch(client, f"/reviews/{submitted.id}/video", Range="bytes=1-")
    media_root = Path(client.application.config["MEDIA_ROOT"])
    assert first + rest == (media_root / video.playable_path).read_bytes()  # the whole file
    rows = reads(f"video:{video.id}")
    assert len(rows) == 1
    assert rows[0].actor_id == people["reviewer"].id and rows[0].ip == "127.0.0.1"
    assert (rows[0].object_type, rows[0].object_id) == ("submission", str(submitted.id))


def test_a_paper_pdf_read_in_pieces_is_audited(client, people, submitted):
    pdf = db.session.scalar(
        select(PaperFile).where(
            PaperFile.version_id == submitted.current.id, PaperFile.kind == "pdf"
        )
    )
    login(client, "c1")  # the original file is the committee's download
    fetch(client, f"/reviews/{submitted.id}/paper/{pdf.id}", Range="bytes=0-0")
    fetch(client, f"/reviews/{submitted.id}/paper/{pdf.id}", Range="bytes=1-")
    rows = reads(f"paper:{pdf.id}:original")
    assert [r.actor_id for r in rows] == [people["committee"].id]


def test_playback_is_one_row_per_window(client, people, submitted):
    video = submitted.current.video
    login(client, "r1")
    for start in range(0, 4000, 500):  # a player seeking about
        fetch(client, f"/reviews/{submitted.id}/video", Range=f"bytes={start}-")
    assert len(reads(f"video:{video.id}")) == 1
    row = reads(f"video:{video.id}")[0]
    row.created_at = datetime.now(UTC) - timedelta(minutes=11)  # the window has passed
    db.session.commit()
    fetch(client, f"/reviews/{submitted.id}/video", Range="bytes=100-")
    assert len(reads(f"video:{video.id}")) == 2
    login(client, "c1")  # another reader is another row
    fetch(client, f"/reviews/{submitted.id}/video", Range="bytes=100-")
    assert {r.actor_id for r in reads(f"video:{video.id}")} == {
        people["reviewer"].id,
        people["committee"].id,
    }


def test_the_window_is_configurable(make_app, people, report):
    app = make_app(AUDIT_READ_WINDOW=0)
    with app.app_context():
        submitted = report("submitted")
        client = app.test_client()
        login(client, "r1")
        for _ in range(3):
            fetch(client, f"/reviews/{submitted.id}/poster")
        assert len(reads(f"poster:{submitted.current.video_id}")) == 3


def test_a_refused_range_is_not_a_read(client, submitted):
    login(client, "r1")
    resp = client.get(f"/reviews/{submitted.id}/video", headers={"Range": "bytes=99999999-"})
    assert resp.status_code == 416
    assert reads() == []


def test_every_reader_is_audited(client, people, submitted, token_for):
    version = submitted.current
    sid, vid = submitted.id, version.video_id
    papers = db.session.scalars(select(PaperFile).where(PaperFile.version_id == version.id)).all()
    photo = next(p for p in papers if p.kind == "photo")
    login(client, "r1")
    for url in (
        f"/reviews/{sid}",
        f"/reviews/{sid}/poster",
        f"/reviews/{sid}/captions.vtt",
        f"/reviews/{sid}/paper/{photo.id}/pages/1",
        f"/search/analyses/{sid}",
    ):
        fetch(client, url)
    fetch(client, f"/api/v1/submissions/{sid}", **token_for("r1"))
    login(client, "c1")
    fetch(client, f"/committee/submissions/{sid}/assessment.pdf")
    period = people["period"].id
    committee = token_for("c1")
    fetch(client, f"/api/v1/submissions/{sid}/assessment.pdf", **committee)
    fetch(client, f"/api/v1/periods/{period}/export.csv", **committee)
    fetch(client, f"/api/v1/periods/{period}/export.xlsx?branch={submitted.branch_id}", **committee)
    files = {(r.actor_id, r.file) for r in reads()}
    r1, c1 = people["reviewer"].id, people["committee"].id
    assert files == {
        (r1, f"page:{version.id}"),
        (r1, f"poster:{vid}"),
        (r1, f"captions:{vid}"),
        (r1, f"paper:{photo.id}"),
        (r1, f"analyses:{version.id}"),
        (r1, f"transcript:{version.id}"),
        (c1, f"assessment:{version.id}"),  # the page and the API: one file, one window
        (c1, f"export:csv:{period}:0"),
        (c1, f"export:xlsx:{period}:{submitted.branch_id}"),
    }


def test_record_read_service(people, submitted):
    r1 = people["reviewer"].id
    assert audit.record_read(r1, "submission", submitted.id, "video:1", "10.0.0.1")
    assert not audit.record_read(r1, "submission", submitted.id, "video:1", "10.0.0.2")
    assert audit.record_read(r1, "submission", submitted.id, "video:1", window=timedelta(0))


def test_audit_page_answers_who_has_seen_the_report(client, people, submitted, report):
    video = submitted.current.video
    login(client, "r1")
    fetch(client, f"/reviews/{submitted.id}/video", Range="bytes=0-0")
    row = reads(f"video:{video.id}")[0]
    row.created_at = datetime(2026, 12, 1, 16, 30, 5, tzinfo=UTC)  # 00:30:05 in Beijing
    row.ip = "10.1.2.3"
    db.session.commit()
    login(client, "c1")
    fetch(client, f"/api/v1/periods/{people['period'].id}/export.csv")  # covers the report
    html = client.get(f"/committee/audit?submission={submitted.id}").get_data(as_text=True)
    assert "王老师" in html and "r1" in html and "10.1.2.3" in html
    assert "2026年12月2日 00:30:05" in html and "视频" in html
    assert "导出文件" in html and "张书记" in html
    by_user = client.get("/committee/audit?user=c1").get_data(as_text=True)
    assert "张书记" in by_user and "10.1.2.3" not in by_user
    missing = client.get("/committee/audit?user=nobody").get_data(as_text=True)
    assert "找不到该汇报或用户" in missing
    decide = client.get(f"/committee/submissions/{submitted.id}").get_data(as_text=True)
    assert f"/committee/audit?submission={submitted.id}" in decide


@pytest.mark.parametrize("who", ("a1", "r1", "admin"))
def test_audit_page_is_the_committees(client, people, who):
    login(client, who)
    assert client.get("/committee/audit").status_code == 403
