"""Page photos of a handwritten report: sniff, upright by EXIF, strip all metadata (no Flask)."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

JPEG, PNG, WEBP, HEIC = "jpeg", "png", "webp", "heic"
# A 50 MP phone photo (8160x6144) passes. JPEGs are decoded at reduced size (libjpeg's DCT
# scaling through Image.draft), so even those cost ~50 MB; PNG and WebP have no such path and
# a 7740x7740 PNG of 190 KB cost 622 MB fully decoded, so they get a lower cap (a phone
# screenshot is under 5 MP).
MAX_PIXELS = 52_000_000
MAX_PIXELS_LOSSLESS = 16_000_000
MAX_SIDE = 3000  # stored pages are scaled down to this long side: readable, not wasteful
JPEG_QUALITY = 85


class ImageError(Exception):
    """A photo that cannot be accepted; `code` is machine-readable, the web layer words it."""

    CODES = frozenset({"empty", "not_image", "heic", "too_many_pixels", "corrupt"})

    def __init__(self, code: str, detail: str = "") -> None:
        if code not in self.CODES:
            raise ValueError(f"unknown ImageError code {code!r}")
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code, self.detail = code, detail


@dataclass(frozen=True)
class Photo:
    """A cleaned page photo: JPEG bytes without metadata, upright, and its size."""

    data: bytes
    width: int
    height: int


def sniff_image(data: bytes) -> str | None:
    """Return "jpeg", "png", "webp" or "heic" from the content alone; None otherwise."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data[4:8] == b"ftyp" and data[8:12] in {
        b"heic",
        b"heix",
        b"hevc",
        b"heim",
        b"heis",
        b"mif1",
        b"msf1",
        b"avif",
    }:
        return HEIC
    return None


def clean_photo(data: bytes, *, max_side: int = MAX_SIDE) -> Photo:
    """Decode a page photo, apply its EXIF orientation, drop every metadata block, re-encode.

    The output is a fresh baseline JPEG: no EXIF (so no GPS), no XMP, no ICC comments.

    Raises:
        ImageError: empty, not a JPEG/PNG/WebP (HEIC has its own code), too many pixels,
            or undecodable.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    if not data:
        raise ImageError("empty")
    kind = sniff_image(data)
    if kind == HEIC:
        raise ImageError("heic")
    if kind is None:
        raise ImageError("not_image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=["JPEG", "PNG", "WEBP"]) as image:
                cap = MAX_PIXELS if image.format == "JPEG" else MAX_PIXELS_LOSSLESS
                if image.width * image.height > cap:
                    raise ImageError("too_many_pixels", f"{image.width}x{image.height}")
                if image.format == "JPEG":
                    image.draft("RGB", (max_side, max_side))  # decode at 1/2, 1/4 or 1/8
                image.load()
                upright = ImageOps.exif_transpose(image)
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError("too_many_pixels", str(exc)) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ImageError("corrupt", repr(exc)[:500]) from exc
    return _encode(upright, max_side)


def _encode(image: Image.Image, max_side: int) -> Photo:
    from PIL import Image

    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, (255, 255, 255))
        image.paste(rgba, mask=rgba.getchannel("A"))
    elif image.mode != "RGB":
        image = image.convert("RGB")
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    # A new image built from the pixels alone carries no info dict, so nothing leaks.
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return Photo(out.getvalue(), clean.width, clean.height)
