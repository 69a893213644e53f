"""No raw paper file reaches a reviewer: page images with the viewer burned into the pixels,
cached once per page, the original for the committee only (issue 11, "No raw paper file")."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from sqlalchemy import select

from review.extensions import db
from review.models import AuditEvent, Submission
from review.services import audit, paper_pages
from tests.reviews.conftest import login


def get(client, url: str, **headers):
    resp = client.get(url, headers=headers)
    resp.get_data()
    resp.close()
    return resp


def _files(sid: int) -> dict:
    return {f.kind: f for f in db.session.get(Submission, sid).current.paper_files}


def _image(resp) -> Image.Image:
    assert resp.status_code == 200 and resp.mimetype == "image/jpeg"
    return Image.open(io.BytesIO(resp.data)).convert("L")


def _marked_share(image: Image.Image) -> float:
    """Share of pixels visibly darker than paper white."""
    histogram = image.histogram()
    return sum(histogram[:245]) / (image.width * image.height)


def test_reviewer_gets_no_raw_paper_file(client, people, make_submission):
    sid = make_submission()
    files = _files(sid)
    login(client, "r1")
    for paper in files.values():
        resp = get(client, f"/reviews/{sid}/paper/{paper.id}")
        assert resp.status_code == 403
        assert not resp.data.startswith(b"%PDF") and not resp.data.startswith(b"\xff\xd8")
    page = client.get(f"/reviews/{sid}").get_data(as_text=True)
    for paper in files.values():
        assert f'/reviews/{sid}/paper/{paper.id}"' not in page
    assert "<iframe" not in page and "下载原件" not in page


def test_page_images_carry_the_viewers_identity(client, people, make_submission):
    sid = make_submission()
    pdf = _files(sid)["pdf"]
    url = f"/reviews/{sid}/paper/{pdf.id}/pages/1"
    login(client, "r1")
    page = client.get(f"/reviews/{sid}").get_data(as_text=True)
    assert f'src="{url}"' in page and "第 1 / 2 页" in page  # a PDF page and a photo
    mine = get(client, url)
    assert mine.headers["Cache-Control"] == "private, no-store"
    mine_image = _image(mine)
    base = Image.open(paper_pages.cache_dir(pdf) / "page-001.png").convert("L")
    assert mine_image.size == base.size == (paper_pages.PAGE_WIDTH, 1754)
    # The cached page is bare; the answer has the watermark tiled over the whole sheet.
    assert _marked_share(base) < 0.01
    assert _marked_share(mine_image) > 0.02
    for half in ((0, 0, 620, 877), (620, 877, 1240, 1754)):
        assert _marked_share(mine_image.crop(half)) > 0.015  # everywhere, not in one corner
    login(client, "c1")
    theirs = _image(get(client, url))
    diff = ImageChops.difference(mine_image, theirs).getbbox()
    assert diff is not None  # another viewer's name, other pixels


def test_the_watermark_font_has_chinese_glyphs(app):
    assert paper_pages.cjk_font_path(), "install fonts-wqy-microhei (scripts/test_deps.py)"
    font, text = paper_pages._font(24, "王老师 r1 2026-12-02 09:30")
    assert text.startswith("王老师")
    # A font without CJK draws the same empty box for every character.
    assert paper_pages._has_cjk(font.path)


def test_without_a_cjk_font_the_username_still_marks_the_page(app, monkeypatch):
    monkeypatch.setattr(paper_pages, "cjk_font_path", lambda: None)
    page = Image.new("RGB", (600, 600), "white")
    paper_pages.burn_watermark(page, "王老师 r1 2026-12-02 09:30")
    assert _marked_share(page.convert("L")) > 0.01


def test_pages_are_cached_per_page_not_per_view(client, people, make_submission):
    sid = make_submission()
    files = _files(sid)
    login(client, "r1")
    for _ in range(3):
        _image(get(client, f"/reviews/{sid}/paper/{files['pdf'].id}/pages/1"))
        _image(get(client, f"/reviews/{sid}/paper/{files['photo'].id}/pages/1"))
    login(client, "c1")
    _image(get(client, f"/reviews/{sid}/paper/{files['pdf'].id}/pages/1"))
    cached = sorted(
        p.name for f in files.values() for p in Path(paper_pages.cache_dir(f)).glob("*")
    )
    assert cached == ["page-001.png", "page-001.png", "pages.json", "pages.json"]
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == audit.READ)).all()
    reads = sorted((e.actor_id, e.file) for e in events)
    pdf, photo = f"paper:{files['pdf'].id}", f"paper:{files['photo'].id}"
    r1, c1 = people["reviewer"].id, people["committee"].id
    assert reads == sorted([(r1, pdf), (r1, photo), (c1, pdf)])  # once per viewer and file


def test_missing_pages_and_other_branches_get_404(client, people, make_submission):
    sid = make_submission()
    files = _files(sid)
    login(client, "r1")
    assert get(client, f"/reviews/{sid}/paper/{files['pdf'].id}/pages/2").status_code == 404
    assert get(client, f"/reviews/{sid}/paper/{files['photo'].id}/pages/2").status_code == 404
    assert get(client, f"/reviews/{sid}/paper/{files['docx'].id}/pages/1").status_code == 404
    login(client, "r2")
    assert get(client, f"/reviews/{sid}/paper/{files['pdf'].id}/pages/1").status_code == 404


def test_committee_downloads_the_original(client, people, make_submission):
    sid = make_submission()
    pdf = _files(sid)["pdf"]
    login(client, "c1")
    page = client.get(f"/reviews/{sid}").get_data(as_text=True)
    assert "下载原件" in page
    resp = get(client, f"/reviews/{sid}/paper/{pdf.id}")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF")
    assert resp.headers["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("kind", ["pdf", "photo"])
def test_a_broken_file_is_a_404_not_a_500(client, people, make_submission, app, kind):
    sid = make_submission()
    paper = _files(sid)[kind]
    (Path(app.config["MEDIA_ROOT"]) / paper.path).write_bytes(b"%PDF-1.4 broken")
    login(client, "r1")
    assert get(client, f"/reviews/{sid}/paper/{paper.id}/pages/1").status_code == 404
