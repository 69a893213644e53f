"""Text extraction from PDF and DOCX (Chinese), and content sniffing (media/documents.py)."""

from __future__ import annotations

import pytest

from media.documents import DocumentError, docx_text, extract_text, pdf_text, sniff_document
from tests.activist.samples import REPORT_ZH, SECOND_ZH, chinese_docx, chinese_pdf, legacy_doc


def test_pdf_with_chinese_text():
    doc = pdf_text(chinese_pdf(REPORT_ZH, SECOND_ZH, pages=2))
    assert doc.kind == "pdf" and doc.pages == 2
    assert REPORT_ZH in doc.text and SECOND_ZH in doc.text
    assert doc.text.count("中国共产党") == 2


def test_docx_with_chinese_paragraphs_and_table():
    data = chinese_docx(
        REPORT_ZH, "", SECOND_ZH, table=[["学习内容", "心得"], ["党章", "收获很大"]]
    )
    doc = docx_text(data)
    assert doc.kind == "docx"
    assert doc.text.startswith(REPORT_ZH)
    assert SECOND_ZH in doc.text and "学习内容 心得" in doc.text and "党章 收获很大" in doc.text
    assert "\n\n\n" not in doc.text


def test_sniffing_ignores_names_and_dispatches_by_content():
    assert sniff_document(chinese_pdf()) == "pdf"
    assert sniff_document(chinese_docx()) == "docx"
    assert sniff_document(legacy_doc()) == "doc"
    assert sniff_document(b"PK\x03\x04not really a zip") is None
    assert extract_text(chinese_docx(SECOND_ZH)).text == SECOND_ZH
    assert SECOND_ZH in extract_text(chinese_pdf(SECOND_ZH)).text


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "not_document"),
        ("我的思想汇报".encode(), "not_document"),
        (legacy_doc(), "legacy_doc"),
        (b"%PDF-1.4\n%garbage that is not a pdf at all\n", "corrupt"),
        (b"PK\x03\x04" + b"\x00" * 200, "not_document"),
    ],
)
def test_rejections(data, code):
    with pytest.raises(DocumentError) as exc:
        extract_text(data)
    assert exc.value.code == code


def test_encrypted_pdf_is_refused():
    with pytest.raises(DocumentError) as exc:
        pdf_text(chinese_pdf(password="secret"))
    assert exc.value.code == "encrypted"


def test_too_many_pages():
    with pytest.raises(DocumentError) as exc:
        pdf_text(chinese_pdf(pages=3), max_pages=2)
    assert exc.value.code == "too_many_pages"


def test_docx_extension_on_a_pdf_is_still_a_pdf():
    # The name never matters: docx_text refuses PDF bytes, extract_text reads them as a PDF.
    with pytest.raises(DocumentError) as exc:
        docx_text(chinese_pdf())
    assert exc.value.code == "not_document"
