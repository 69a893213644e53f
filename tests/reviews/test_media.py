"""Media endpoints: HTTP Range, private caching, front-server hand-off, files outside the store."""

from __future__ import annotations

from pathlib import Path

from review.extensions import db
from review.models import Submission
from tests.reviews.conftest import login


def get(client, url: str, **headers):
    """GET url, read the body and close the response (send_file keeps the file open)."""
    resp = client.get(url, headers=headers)
    resp.get_data()
    resp.close()
    return resp


def test_video_answers_ranges(client, people, make_submission, h264_clip):
    sid = make_submission()
    login(client, "r1")
    size = Path(h264_clip).stat().st_size
    whole = get(client, f"/reviews/{sid}/video")
    assert whole.status_code == 200 and whole.headers["Accept-Ranges"] == "bytes"
    assert whole.headers["Content-Type"] == "video/mp4" and len(whole.data) == size
    assert whole.headers["Cache-Control"].startswith("private")
    assert whole.headers["Content-Disposition"] == "inline"
    part = get(client, f"/reviews/{sid}/video", Range="bytes=100-199")
    assert part.status_code == 206 and part.headers["Content-Range"] == f"bytes 100-199/{size}"
    assert part.data == Path(h264_clip).read_bytes()[100:200]
    assert part.headers["Cache-Control"].startswith("private")
    tail = get(client, f"/reviews/{sid}/video", Range="bytes=-10")
    assert tail.status_code == 206 and len(tail.data) == 10
    bad = client.get(f"/reviews/{sid}/video", headers={"Range": f"bytes={size + 10}-"})
    assert bad.status_code == 416 and bad.headers["Content-Range"] == f"bytes */{size}"
    assert bad.headers["Cache-Control"].startswith("private")


def test_captions_and_paper_answer_ranges(client, people, make_submission):
    sid = make_submission()
    login(client, "r1")
    vtt = get(client, f"/reviews/{sid}/captions.vtt")
    assert vtt.status_code == 200 and vtt.mimetype == "text/vtt"
    text = vtt.get_data(as_text=True)
    assert text.startswith("WEBVTT") and "00:00:02.000 --> 00:00:03.900" in text
    part = get(client, f"/reviews/{sid}/captions.vtt", Range="bytes=0-5")
    assert part.status_code == 206 and part.data == b"WEBVTT"
    assert get(client, f"/reviews/{sid}/captions.vtt", Range="bytes=99999-").status_code == 416
    paper = db.session.get(Submission, sid).current.paper_files[0]
    login(client, "c1")  # the original is the committee's (export); reviewers see page images
    pdf = get(client, f"/reviews/{sid}/paper/{paper.id}", Range="bytes=0-3")
    assert pdf.status_code == 206 and pdf.data == b"%PDF" and pdf.mimetype == "application/pdf"
    assert pdf.headers["Cache-Control"].startswith("private")


def test_x_accel_and_x_sendfile(app, make_app, people, make_submission):
    sid = make_submission()
    video = db.session.get(Submission, sid).current.video
    for mode, header in (("x-accel", "X-Accel-Redirect"), ("x-sendfile", "X-Sendfile")):
        client = make_app(SENDFILE_MODE=mode, SENDFILE_ACCEL_PREFIX="/_media/").test_client()
        login(client, "r1")
        resp = get(client, f"/reviews/{sid}/video", Range="bytes=0-")
        assert resp.status_code == 200 and resp.data == b""  # the front server sends the bytes
        assert resp.headers["Cache-Control"].startswith("private")
        assert resp.headers["Content-Type"] == "video/mp4"
        if mode == "x-accel":
            assert resp.headers[header] == f"/_media/{video.playable_path}"
        else:
            assert resp.headers[header] == str(
                Path(app.config["MEDIA_ROOT"]).resolve() / video.playable_path
            )
        login(client, "r2")
        refused = get(client, f"/reviews/{sid}/video")
        assert refused.status_code == 404 and header not in refused.headers


def test_paths_outside_the_media_store_are_refused(client, people, make_submission):
    sid = make_submission()
    version = db.session.get(Submission, sid).current
    version.paper_files[0].path = "../../../../etc/hosts.pdf"
    version.video.poster_path = "/etc/hostname"
    db.session.commit()
    login(client, "c1")
    assert get(client, f"/reviews/{sid}/paper/{version.paper_files[0].id}").status_code == 404
    login(client, "r1")
    assert get(client, f"/reviews/{sid}/poster").status_code == 404


def test_media_reading_is_audited(client, people, make_submission):
    from sqlalchemy import select

    from review.models import AuditEvent

    sid = make_submission()
    video_id = db.session.get(Submission, sid).current.video_id
    login(client, "r1")
    get(client, f"/reviews/{sid}/video", Range="bytes=0-")
    get(client, f"/reviews/{sid}/video", Range="bytes=5000-")  # within the window: same read
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "read")).all()
    assert [(e.object_id, e.file) for e in events] == [(str(sid), f"video:{video_id}")]
