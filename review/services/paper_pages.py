"""Page images of a paper report for the review page, the viewer's identity burned in.

No raw paper file reaches a reviewer: a PDF page is rendered by pdfium in a limited child
process (media/sandbox.py), a photo is scaled down, and the result is cached once per page
in storage.page_cache_folder(<file id>). The watermark (viewer's name, username, Beijing
time) is drawn on every answer, so the cache never holds anyone's name.
"""

from __future__ import annotations

import io
import json
import math
import os
import shutil
import subprocess
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app

from media.documents import DocumentError
from media.sandbox import render_pdf_page
from review import storage
from review.models import PaperFile
from review.services.papers import parse_limits

PAGE_WIDTH = 1240  # A4 at 150 dpi: small type stays readable, a page is ~200 KB
JPEG_QUALITY = 82
BEIJING = ZoneInfo("Asia/Shanghai")
PAGED_KINDS = ("pdf", "photo")
# Fonts with CJK glyphs, most common first (Debian/Ubuntu, Fedora, Alpine, macOS).
CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/System/Library/Fonts/PingFang.ttc",
)


class PageError(Exception):
    """A page that cannot be shown: `code` is "no_page" or a DocumentError code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def cache_dir(paper_file: PaperFile) -> Path:
    """Return the folder of a paper file's cached page images."""
    return storage.page_cache_folder(paper_file.id)


def page_count(paper_file: PaperFile) -> int:
    """Return how many page images a paper file has (a DOCX has none: its text is shown)."""
    if paper_file.kind == "photo":
        return 1
    if paper_file.kind != "pdf":
        return 0
    meta = cache_dir(paper_file) / "pages.json"
    try:
        return int(json.loads(meta.read_text())["pages"])
    except (OSError, ValueError, KeyError):
        pass
    try:
        _base(paper_file, 1)  # rendering page 1 learns the count
        return int(json.loads(meta.read_text())["pages"])
    except (PageError, OSError, ValueError, KeyError):
        return 0


def watermarked_page(paper_file: PaperFile, number: int, viewer: str, at: datetime) -> bytes:
    """Return page `number` (from 1) as a JPEG with `viewer` and the time burned in.

    Raises:
        PageError: no such page, or the file cannot be rendered.
    """
    from PIL import Image

    with Image.open(_base(paper_file, number)) as base:
        page = base.convert("RGB")
    stamp = f"{viewer} {at.astimezone(BEIJING):%Y-%m-%d %H:%M}"
    burn_watermark(page, stamp)
    out = io.BytesIO()
    page.save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue()


def _base(paper_file: PaperFile, number: int) -> Path:
    """Return the cached, unmarked page image, rendering it on first use."""
    from PIL import Image

    if paper_file.kind not in PAGED_KINDS or number < 1:
        raise PageError("no_page")
    if paper_file.kind == "photo" and number != 1:
        raise PageError("no_page")
    folder = cache_dir(paper_file)
    target = folder / f"page-{number:03d}.png"
    if target.is_file():
        return target
    meta = folder / "pages.json"
    if meta.is_file() and number > json.loads(meta.read_text()).get("pages", 0):
        raise PageError("no_page")
    source = storage.resolve(paper_file.path)
    if source is None:  # missing, or a path that leads outside MEDIA_ROOT
        raise PageError("no_page")
    if paper_file.kind == "photo":
        try:
            png, pages = _scaled_photo(source), 1
        except (OSError, ValueError, Image.DecompressionBombError) as exc:
            raise PageError("corrupt") from exc
    else:
        try:
            rendered = render_pdf_page(source.read_bytes(), number - 1, PAGE_WIDTH, parse_limits())
        except DocumentError as exc:
            raise PageError("no_page" if exc.code == "too_many_pages" else exc.code) from exc
        png, pages = rendered.png, rendered.pages
    storage.write_bytes(meta, json.dumps({"pages": pages}).encode())
    storage.write_bytes(target, png)
    return target


def _scaled_photo(source: Path) -> bytes:
    """Scale a stored page photo (our own clean JPEG) to the page width, as PNG."""
    from PIL import Image

    with Image.open(source, formats=["JPEG"]) as opened:
        image = opened.convert("RGB")
        if image.width > PAGE_WIDTH:
            height = round(image.height * PAGE_WIDTH / image.width)
            image = image.resize((PAGE_WIDTH, height), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.save(out, "PNG")
    return out.getvalue()


def burn_watermark(page, text: str) -> None:  # noqa: ANN001 - a PIL image, drawn on in place
    """Tile `text` diagonally over the whole page, dark enough to survive a photo of it."""
    from PIL import Image, ImageDraw

    size = max(18, page.width // 40)
    font, text = _font(size, text)
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    left, top, right, bottom = probe.textbbox((0, 0), text, font=font)
    tile = Image.new("LA", (int(right - left) + size * 3, int(bottom - top) * 4), (0, 0))
    ImageDraw.Draw(tile).text((-left, -top), text, font=font, fill=(80, 120))
    tile = tile.rotate(28, expand=True, resample=Image.Resampling.BICUBIC)
    overlay = Image.new("LA", page.size, (0, 0))
    step_x, step_y = tile.width, max(tile.height // 2, size * 5)
    for row in range(-1, math.ceil(page.height / step_y) + 1):
        shift = (row % 2) * step_x // 2
        for col in range(-1, math.ceil(page.width / step_x) + 1):
            overlay.paste(tile, (col * step_x - shift, row * step_y), tile)
    grey = Image.new("RGB", page.size, (80, 80, 80))
    page.paste(grey, (0, 0), overlay.getchannel("A"))


def _font(size: int, text: str):  # noqa: ANN202 - a PIL font
    """Return a CJK font of `size` and the text to draw; without one, the ASCII part only."""
    from PIL import ImageFont

    path = cjk_font_path()
    if path:
        try:
            return ImageFont.truetype(path, size), text
        except OSError:
            pass
    # No CJK font: the username and the time still identify the viewer.
    ascii_text = " ".join(w for w in text.split() if w.isascii()) or text
    return ImageFont.load_default(size), ascii_text


@cache
def cjk_font_path() -> str | None:
    """Find a font file with Chinese glyphs: PAPER_WATERMARK_FONT, known paths, fontconfig."""
    configured = current_app.config.get("PAPER_WATERMARK_FONT")
    candidates = [configured] if configured else []
    candidates += list(CJK_FONTS)
    for path in candidates:
        if path and os.path.isfile(path):
            return path
    fc_match = shutil.which("fc-match")
    if fc_match:
        try:
            found = subprocess.run(
                [fc_match, "-f", "%{file}", "sans-serif:lang=zh-cn"],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            found = ""
        if found and os.path.isfile(found) and _has_cjk(found):
            return found
    return None


def _has_cjk(path: str) -> bool:
    """Tell whether a font draws two Chinese characters differently (not the same box)."""
    from PIL import Image, ImageDraw, ImageFont

    try:
        font = ImageFont.truetype(path, 20)
    except OSError:
        return False
    drawn = []
    for char in "党师":
        image = Image.new("L", (32, 32), 0)
        ImageDraw.Draw(image).text((4, 4), char, font=font, fill=255)
        drawn.append(image.tobytes())
    return drawn[0] != drawn[1] and any(drawn[0])
