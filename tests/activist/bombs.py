"""Hostile paper-report files made on the fly: a DOCX, a PDF and a PNG that are small on the
wire and huge once parsed (the shapes that hurt the web process before parsing moved out)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from tests.activist.samples import chinese_docx

_IMAGE_REL = (
    b'<Relationship Id="rIdBomb" Target="media/image1.png" Type="http://schemas.openxmlformats.org'
    b'/officeDocument/2006/relationships/image"/>'
)


def docx_bomb(image_mb: int = 400) -> bytes:
    """Return a valid DOCX (~image_mb/1000 MB) whose image part unpacks to image_mb MB of zeros."""
    base = zipfile.ZipFile(io.BytesIO(chinese_docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for info in base.infolist():
            data = base.read(info.filename)
            if info.filename == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", _IMAGE_REL + b"</Relationships>")
            bomb.writestr(info, data)
        with bomb.open("word/media/image1.png", "w", force_zip64=True) as part:
            block = b"\x00" * 2**20
            for _ in range(image_mb):
                part.write(block)
    return out.getvalue()


def pdf_bomb(text_mb: int = 60) -> bytes:
    """Return a one-page PDF (~text_mb*1.3 KB) whose content stream is text_mb MB of text
    operators: pypdf spends tens of CPU seconds extracting it (more than pypdf's 75 MB limit
    raises its LimitReachedError instead)."""
    unit = b"BT /F1 12 Tf 72 720 Td (A) Tj ET\n"
    content = unit * (text_mb * 2**20 // len(unit))
    stream = zlib.compress(content, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def png_bomb(side: int = 7740) -> bytes:
    """Return a real, decodable side x side RGB PNG of one colour (a few hundred KB)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    row = b"\x00" + b"\xff" * (side * 3)
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )
