"""The paper report: typed text, PDF/DOCX with extracted text, page photos; every message."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from review.extensions import db
from review.models import PaperFile
from review.services import papers
from tests.activist.conftest import draft_of
from tests.activist.samples import (
    REPORT_ZH,
    SECOND_ZH,
    chinese_docx,
    chinese_pdf,
    legacy_doc,
    phone_jpeg,
    png_claiming,
)


@pytest.fixture
def a1(client, auth, people):
    auth.login("a1")
    return client


def _url(people, tail: str = "") -> str:
    return f"/my/periods/{people['period'].id}/paper{tail}"


def _post_document(client, people, data: bytes, name: str = "汇报.pdf"):
    return client.post(
        _url(people, "/file?kind=document"),
        data={"document": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def _post_photos(client, people, photos: list[tuple[bytes, str]]):
    return client.post(
        _url(people, "/file?kind=photos"),
        data={"photos": [(io.BytesIO(d), n) for d, n in photos]},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def _fetch(client, url: str):
    """GET a file response and close it (send_file keeps the file open until then)."""
    resp = client.get(url)
    resp.get_data()
    resp.close()
    return resp


def test_typed_text_is_saved_and_shown(a1, people):
    resp = a1.post(
        _url(people, "/text"), data={"text": f"  {REPORT_ZH}\r\n第二段。 "}, follow_redirects=True
    )
    html = resp.get_data(as_text=True)
    assert "书面汇报已保存。" in html and "已填写（" in html
    version = draft_of(people)
    assert version.paper_kind == "text" and version.paper_text == f"{REPORT_ZH}\n第二段。"
    assert REPORT_ZH in a1.get(_url(people)).get_data(as_text=True)


def test_pdf_is_stored_under_the_version_with_its_text(a1, app, people):
    html = _post_document(
        a1, people, chinese_pdf(REPORT_ZH, SECOND_ZH), "../../我的汇报.docx"
    ).get_data(as_text=True)
    assert "书面汇报文件已上传。" in html and "已上传 PDF 文件" in html
    version = draft_of(people)
    assert version.paper_kind == "pdf" and SECOND_ZH in version.paper_text
    [stored] = version.paper_files
    assert stored.original_name == "我的汇报.docx"  # display only; the content decided the kind
    path = Path(app.config["MEDIA_ROOT"]) / stored.path
    assert path.parent == Path(app.config["MEDIA_ROOT"]) / "papers" / str(version.id)
    assert path.suffix == ".pdf" and path.read_bytes().startswith(b"%PDF-")
    resp = _fetch(a1, f"/my/papers/{stored.id}")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"


def test_docx_text_and_replacement_removes_old_file(a1, app, people):
    _post_document(a1, people, chinese_pdf())
    old = draft_of(people).paper_files[0]
    old_path = Path(app.config["MEDIA_ROOT"]) / old.path
    assert old_path.exists()
    _post_document(a1, people, chinese_docx(SECOND_ZH), "x.pdf")
    db.session.expire_all()
    version = draft_of(people)
    assert version.paper_kind == "docx" and version.paper_text == SECOND_ZH
    assert not old_path.exists() and len(version.paper_files) == 1
    resp = _fetch(a1, f"/my/papers/{version.paper_files[0].id}")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]


def test_photos_are_upright_without_exif_in_order(a1, app, people):
    photos = [
        (phone_jpeg(60, 30, orientation=6), "IMG_1.jpg"),
        (phone_jpeg(40, 20, 1), "IMG_2.jpg"),
    ]
    html = _post_photos(a1, people, photos).get_data(as_text=True)
    assert "手写稿照片已上传。" in html and "已上传手写稿照片 2 张" in html
    version = draft_of(people)
    assert version.paper_kind == "photos" and version.paper_text == ""
    first, second = version.paper_files
    assert (first.position, second.position) == (0, 1)
    assert first.original_name == "IMG_1.jpg" and first.path.endswith(".jpg")
    with Image.open(Path(app.config["MEDIA_ROOT"]) / first.path) as image:
        assert image.size == (30, 60) and len(image.getexif()) == 0
    served = _fetch(a1, f"/my/papers/{first.id}")
    assert served.mimetype == "image/jpeg" and b"Huawei" not in served.data


def test_text_after_files_replaces_them(a1, app, people):
    _post_photos(a1, people, [(phone_jpeg(), "a.jpg")])
    path = Path(app.config["MEDIA_ROOT"]) / draft_of(people).paper_files[0].path
    papers.save_text(people["activist"].id, people["period"].id, "改为直接填写。")
    db.session.expire_all()
    version = draft_of(people)
    assert version.paper_kind == "text" and not version.paper_files and not path.exists()
    assert db.session.query(PaperFile).count() == 0


def test_empty_text_clears_and_remove_button(a1, people):
    papers.save_text(people["activist"].id, people["period"].id, "正文")
    papers.save_text(people["activist"].id, people["period"].id, "   ")
    assert draft_of(people).paper_kind is None
    _post_document(a1, people, chinese_pdf())
    html = a1.post(_url(people, "/remove"), follow_redirects=True).get_data(as_text=True)
    assert "书面汇报已删除，请重新填写或上传。" in html
    db.session.expire_all()
    assert draft_of(people).paper_kind is None and not draft_of(people).paper_files


DOCUMENT_CASES = [
    (b"", "x.pdf", "文件是空的，请重新选择。"),
    (
        "我的思想汇报".encode(),
        "汇报.pdf",
        "这个文件不是 PDF 或 Word（.docx）文档，请重新选择；手写稿请拍照上传。",
    ),
    (
        phone_jpeg(),
        "scan.pdf",
        "这个文件不是 PDF 或 Word（.docx）文档，请重新选择；手写稿请拍照上传。",
    ),
    (
        legacy_doc(),
        "汇报.doc",
        "不支持旧版 Word（.doc）格式，请在 Word 或 WPS 中“另存为” .docx 或 PDF 后再上传。",
    ),
    (chinese_pdf(password="pw"), "a.pdf", "这个 PDF 设置了密码，请去掉密码后再上传。"),
    (b"%PDF-1.7\nnot really\n", "a.pdf", "文件已损坏或无法打开，请重新导出后再上传。"),
]


@pytest.mark.parametrize(("data", "name", "message"), DOCUMENT_CASES)
def test_document_messages(a1, people, data, name, message):
    html = _post_document(a1, people, data, name).get_data(as_text=True)
    assert message in html
    assert draft_of(people).paper_kind is None


def test_document_too_many_pages(a1, people):
    html = _post_document(a1, people, chinese_pdf("一页", pages=201)).get_data(as_text=True)
    assert "PDF 页数过多（上限 200 页），请只上传书面思想汇报本身。" in html


def test_document_too_large_and_missing(a1, app, people):
    app.config["PAPER_MAX_BYTES"] = 2 * 2**20
    big = chinese_pdf() + b"\n%" + b"0" * (2 * 2**20)
    assert "文件过大（上限 2 MB），请压缩或删去图片后再上传。" in _post_document(
        a1, people, big
    ).get_data(as_text=True)
    huge = big + b"0" * 2**20  # past the form limit: refused before the body is read
    assert "文件总大小超过上限（2 MB），请压缩后再上传。" in _post_document(
        a1, people, huge
    ).get_data(as_text=True)
    resp = a1.post(_url(people, "/file?kind=document"), data={}, follow_redirects=True)
    assert "请先选择要上传的 PDF 或 Word（.docx）文件。" in resp.get_data(as_text=True)


PHOTO_CASES = [
    ([], "请至少选择一张手写稿照片。"),
    (
        [(phone_jpeg(), "p.jpg")] * 11,
        "照片最多 10 张，您选择了 11 张，请分页合并或删去多余的照片。",
    ),
    ([(phone_jpeg(), "1.jpg"), (b"", "2.jpg")], "第 2 张照片是空文件，请重新选择。"),
    ([(chinese_pdf(), "1.jpg")], "第 1 个文件不是照片（支持 JPG、PNG、WebP），请重新选择。"),
    (
        [(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 40, "1.heic")],
        "第 1 张照片是 HEIC 格式，暂不支持。"
        "请在手机“设置 → 相机 → 格式”中选择“兼容性最佳”后重拍，或截图后上传。",
    ),
    (
        [(png_claiming(20000, 20000), "1.png")],
        "第 1 张照片分辨率过高，请用手机相机正常拍摄后上传。",
    ),
    (
        [(b"\xff\xd8\xff\xe0" + b"\x00" * 50, "1.jpg")],
        "第 1 张照片已损坏或无法打开，请重新拍摄后上传。",
    ),
]


@pytest.mark.parametrize(("photos", "message"), PHOTO_CASES)
def test_photo_messages(a1, people, photos, message):
    html = _post_photos(a1, people, photos).get_data(as_text=True)
    assert message in html
    assert draft_of(people).paper_kind is None


def test_photo_too_large(a1, app, people):
    app.config["PHOTO_MAX_BYTES"] = 2**20
    big = phone_jpeg() + b"\x00" * 2**20
    html = _post_photos(a1, people, [(phone_jpeg(), "1.jpg"), (big, "2.jpg")]).get_data(
        as_text=True
    )
    assert "第 2 张照片过大（上限 1 MB），请重新拍摄或压缩后上传。" in html


def test_text_too_long(a1, app, people):
    app.config["PAPER_TEXT_MAX_CHARS"] = 10
    html = a1.post(_url(people, "/text"), data={"text": "字" * 11}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "书面汇报太长（11 字），上限为 10 字，请精简后再保存。" in html


def test_other_people_cannot_read_paper_files(a1, client, auth, people):
    _post_document(a1, people, chinese_pdf())
    file_id = draft_of(people).paper_files[0].id
    auth.logout()
    auth.login("a2")
    assert client.get(f"/my/papers/{file_id}").status_code == 404
    auth.logout()
    auth.login("r1")
    assert client.get(f"/my/papers/{file_id}").status_code == 403


def test_paper_page_read_only_after_submit(a1, people, make_video):
    make_video("ready")
    papers.save_text(people["activist"].id, people["period"].id, "正文")
    a1.post(f"/my/periods/{people['period'].id}/submit")
    html = a1.get(_url(people)).get_data(as_text=True)
    assert "本版已提交，书面汇报不能再修改。" in html and "<textarea" not in html
    html = _post_document(a1, people, chinese_pdf()).get_data(as_text=True)
    assert "本期思想汇报已提交，不能再修改。" in html
