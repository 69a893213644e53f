"""Sample paper-report files made on the fly: a Chinese PDF, a Chinese DOCX, phone photos."""

from __future__ import annotations

import io
import struct
import zlib

REPORT_ZH = "敬爱的党组织：我志愿加入中国共产党，拥护党的纲领，遵守党的章程。"
SECOND_ZH = "这个季度我认真学习了党的理论，参加了志愿服务活动。"


def chinese_pdf(*lines: str, pages: int = 1, password: str | None = None) -> bytes:
    """Return a PDF whose pages show Chinese lines in reportlab's built-in STSong-Light."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    kwargs = {"encrypt": password} if password else {}
    pdf = canvas.Canvas(out, **kwargs)
    for _page in range(pages):
        pdf.setFont("STSong-Light", 14)
        for i, line in enumerate(lines or (REPORT_ZH,)):
            pdf.drawString(60, 760 - 24 * i, line)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def chinese_docx(*paragraphs: str, table: list[list[str]] | None = None) -> bytes:
    """Return a DOCX with Chinese paragraphs and an optional table."""
    import docx

    document = docx.Document()
    for text in paragraphs or (REPORT_ZH,):
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, text in enumerate(row):
                grid.cell(r, c).text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def phone_jpeg(width: int = 60, height: int = 30, orientation: int = 6, gps: bool = True) -> bytes:
    """Return a JPEG as a phone writes it: EXIF orientation, camera make and a GPS position.

    The left half is red and the right half blue, so a rotation can be seen in the pixels.
    """
    from PIL import Image

    image = Image.new("RGB", (width, height), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, width // 2, height))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Huawei"
    exif[0x0110] = "P60"
    if gps:
        exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 50.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=95)
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """Return a tiny PNG whose header claims width x height (a decompression bomb's shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 10))
        + chunk(b"IEND", b"")
    )


def legacy_doc() -> bytes:
    """Return the start of an OLE compound file, as an old Word .doc begins."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000
