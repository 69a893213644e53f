"""Hostile paper files are parsed in a limited child process: the web process stays small,
the activist gets a Chinese reason, never a 500 (issue 11, "Untrusted documents")."""

from __future__ import annotations

import io
import resource

import pytest

from media import sandbox
from media.documents import DocumentError
from media.images import ImageError
from review.extensions import db
from review.models import SubmissionVersion
from tests.activist.bombs import docx_bomb, pdf_bomb, png_bomb
from tests.activist.samples import REPORT_ZH, chinese_pdf, phone_jpeg
from tests.fixtures.app import PASSWORD

MB = 2**20


@pytest.fixture
def a1(client, auth, people):
    auth.login("a1")
    return client


def _post(client, people, field: str, data: bytes, name: str):
    kind = "photos" if field == "photos" else "document"
    return client.post(
        f"/my/periods/{people['period'].id}/paper/file?kind={kind}",
        data={field: [(io.BytesIO(data), name)]},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _stored(people) -> list[SubmissionVersion]:
    return db.session.scalars(db.select(SubmissionVersion)).all()


def test_docx_bomb_is_refused_without_unpacking(a1, people):
    bomb = docx_bomb(400)
    assert len(bomb) < MB  # 400 MB of image part in ~440 KB
    before = _peak_mb()
    resp = _post(a1, people, "document", bomb, "汇报.docx")
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert "这个文件过于复杂" in page
    assert _peak_mb() - before < 150  # python-docx in the web process peaked at 842 MB
    assert all(not v.paper_kind for v in _stored(people))


def test_pdf_past_pypdf_limits_is_a_chinese_reason_not_500(a1, people):
    # 10 MB of text operators in 31 KB: pypdf raises LimitReachedError (was an uncaught 500).
    resp = _post(a1, people, "document", pdf_bomb(10), "汇报.pdf")
    assert resp.status_code == 200
    assert "这个文件过于复杂" in resp.get_data(as_text=True)


def test_pdf_that_spins_the_parser_is_stopped_at_the_cpu_limit(make_app, people):
    # 5 MB of text operators (16 KB) keep pypdf busy ~8 CPU seconds; the child gets 2.
    app = make_app(PAPER_PARSE_CPU_SECONDS=2)
    client = app.test_client()
    client.post("/login", data={"username": "a1", "password": PASSWORD})
    resp = _post(client, people, "document", pdf_bomb(5), "汇报.pdf")
    assert "这个文件过于复杂" in resp.get_data(as_text=True)


def test_png_bomb_is_refused_before_decoding(a1, people):
    bomb = png_bomb(7740)
    assert len(bomb) < MB
    before = _peak_mb()
    resp = _post(a1, people, "photos", bomb, "page.png")
    assert "第 1 张照片分辨率过高" in resp.get_data(as_text=True)
    assert _peak_mb() - before < 150  # decoded in the web process it cost 622 MB


def test_normal_files_still_parse_in_the_child(a1, people):
    resp = _post(a1, people, "document", chinese_pdf(REPORT_ZH), "汇报.pdf")
    assert "书面汇报文件已上传" in resp.get_data(as_text=True)
    (version,) = _stored(people)
    assert version.paper_kind == "pdf" and REPORT_ZH[:10] in version.paper_text
    resp = _post(a1, people, "photos", phone_jpeg(), "page.jpg")
    assert "手写稿照片已上传" in resp.get_data(as_text=True)


def test_upload_form_says_it_is_processing(a1, people):
    page = a1.get(f"/my/periods/{people['period'].id}/paper").get_data(as_text=True)
    assert page.count('data-busy="正在处理…"') == 2


def test_memory_limit_stops_a_large_photo():
    # A 4000x4000 PNG is under the pixel cap; decoding it needs ~100 MB more than 120 MB allows.
    with pytest.raises(ImageError) as caught:
        sandbox.parse_photo(png_bomb(4000), sandbox.Limits(memory_bytes=120 * MB))
    assert caught.value.code == "too_many_pixels"
    assert sandbox.parse_photo(png_bomb(400), sandbox.Limits(memory_bytes=120 * MB)).width == 400


def test_a_crashing_parser_is_corrupt_not_an_exception():
    with pytest.raises(DocumentError) as caught:
        sandbox.parse_document(b"%PDF-1.4\n" + b"\x00garbage" * 100)
    assert caught.value.code == "corrupt"
