"""Paper-report documents: sniff PDF/DOCX content and extract their text (no Flask, no DB)."""

from __future__ import annotations

import io
import logging
import re
import warnings
import zipfile
from dataclasses import dataclass

log = logging.getLogger(__name__)

PDF, DOCX = "pdf", "docx"
MAX_PDF_PAGES = 200
MAX_TEXT_CHARS = 200_000
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc/.xls/.ppt
_ZIP_MAGIC = b"PK\x03\x04"
_MAX_DOCX_XML = 50 * 2**20  # an unpacked document.xml larger than this is a zip bomb
# All parts together, unpacked. python-docx reads every related part (images too) into memory,
# so a 400 KB file with a 400 MB image of zeros cost the web process 842 MB. A real report
# with photos of 20 MB (the upload limit) unpacks to about its own size: images do not deflate.
MAX_DOCX_UNPACKED = 64 * 2**20


class DocumentError(Exception):
    """A document that cannot be accepted; `code` is machine-readable, the web layer words it."""

    CODES = frozenset(
        {
            "empty",
            "not_document",
            "legacy_doc",
            "encrypted",
            "corrupt",
            "too_many_pages",
            "too_complex",
        }
    )

    def __init__(self, code: str, detail: str = "") -> None:
        if code not in self.CODES:
            raise ValueError(f"unknown DocumentError code {code!r}")
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code, self.detail = code, detail


@dataclass(frozen=True)
class DocumentText:
    """What a document held: its kind, its plain text and how many pages it has (PDF)."""

    kind: str
    text: str
    pages: int = 0


def sniff_document(data: bytes) -> str | None:
    """Return "pdf", "docx" or "doc" (legacy Word) from the content alone; None otherwise."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(_OLE_MAGIC):
        return "doc"
    if data.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return DOCX
    return None


def normalise_text(text: str) -> str:
    """Collapse runs of blanks, keep paragraph breaks, drop control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ")
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)
    text = re.sub(r"[ \t]+", " ", text)
    lines = [line.strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()[:MAX_TEXT_CHARS]


def pdf_text(data: bytes, *, max_pages: int = MAX_PDF_PAGES) -> DocumentText:
    """Extract the text of a PDF.

    Raises:
        DocumentError: not a PDF, encrypted, unreadable, or more than max_pages pages.
    """
    if not data:
        raise DocumentError("empty")
    if sniff_document(data) != PDF:
        raise DocumentError("not_document")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a sloppy PDF's warnings tell the user nothing
        parts = _pdf_pages(data, max_pages)
    return DocumentText(PDF, normalise_text("\n\n".join(parts)), len(parts))


def _pdf_pages(data: bytes, max_pages: int) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise DocumentError("encrypted")
        pages = len(reader.pages)
        if pages == 0:
            raise DocumentError("corrupt", "no pages")
        if pages > max_pages:
            raise DocumentError("too_many_pages", str(pages))
        return [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except PyPdfError as exc:  # LimitReachedError included: a stream past pypdf's limits
        code = "too_complex" if type(exc).__name__ == "LimitReachedError" else "corrupt"
        raise DocumentError(code, repr(exc)[:500]) from exc
    except (
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        RecursionError,
        OSError,
        AssertionError,
        ZeroDivisionError,
    ) as exc:
        raise DocumentError("corrupt", repr(exc)[:500]) from exc


def docx_text(data: bytes) -> DocumentText:
    """Extract the text of a DOCX: paragraphs, then table cells, in document order.

    Raises:
        DocumentError: not a DOCX (a legacy .doc gets its own code) or unreadable.
    """
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if not data:
        raise DocumentError("empty")
    kind = sniff_document(data)
    if kind == "doc":
        raise DocumentError("legacy_doc")
    if kind != DOCX:
        raise DocumentError("not_document")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if archive.getinfo("word/document.xml").file_size > _MAX_DOCX_XML:
                raise DocumentError("corrupt", "document.xml too large")
            # zipfile stops reading a member at its declared size, so the sum is a real bound.
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > MAX_DOCX_UNPACKED:
                raise DocumentError("too_complex", f"parts unpack to {unpacked} bytes")
        document = docx.Document(io.BytesIO(data))
        parts = [p.text for p in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                parts.append(" ".join(cell.text for cell in row.cells))
    except DocumentError:
        raise
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise DocumentError("corrupt", repr(exc)[:500]) from exc
    except Exception as exc:  # lxml raises its own XMLSyntaxError on a broken part
        if type(exc).__module__.startswith("lxml"):
            raise DocumentError("corrupt", repr(exc)[:500]) from exc
        raise
    return DocumentText(DOCX, normalise_text("\n".join(parts)))


def extract_text(data: bytes) -> DocumentText:
    """Sniff data and extract its text, whatever its file name claimed.

    Raises:
        DocumentError: see pdf_text and docx_text.
    """
    if not data:
        raise DocumentError("empty")
    kind = sniff_document(data)
    if kind == PDF:
        return pdf_text(data)
    if kind == "doc":
        raise DocumentError("legacy_doc")
    if kind == DOCX:
        return docx_text(data)
    raise DocumentError("not_document")
