"""The sheets' Chinese font: WenQuanYi Micro Hei, parsed once per process, embedded as a subset.

reportlab embeds the glyphs a PDF uses (at most 256 a subset, so a sheet has one or two). A
ZIP of 2 000 sheets builds 2 000 to 4 000 subsets of the same font: that is made cheaper here
without changing a byte of them, and the subset is deflated by ISA-L, not zlib.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from functools import cache
from pathlib import Path
from struct import pack, pack_into, unpack_from
from typing import Any

from isal import isal_zlib
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import (
    GF_ARG_1_AND_2_ARE_WORDS,
    GF_MORE_COMPONENTS,
    GF_WE_HAVE_A_SCALE,
    GF_WE_HAVE_A_TWO_BY_TWO,
    GF_WE_HAVE_AN_X_AND_Y_SCALE,
    TTFont,
    TTFontFace,
    TTFontMaker,
)

FONT = "WenQuanYiMicroHei"
FONT_FILE = Path(__file__).resolve().parents[2] / "fonts" / "wqy-microhei.ttc"


class _QuickFlate(pdfdoc.PDFStreamFilterZCompress):
    """Deflate with ISA-L (the same zlib format, read by any PDF reader): glyph outlines barely
    compress, and zlib spent most of a sheet's save on them. The two subsets of a sheet, 72.7 kB:
    zlib level 6 2.33 ms (47.1 kB), zlib level 1 1.26 ms (49.2 kB), ISA-L level 3 0.20 ms
    (49.2 kB)."""

    def encode(self, text: bytes | str) -> bytes:
        return isal_zlib.compress(text.encode() if isinstance(text, str) else text, 3)


QUICK_FLATE = _QuickFlate()


@cache
def font() -> str:
    """Register the shipped Chinese font once per process; return its name."""
    ttf = TTFont(FONT, str(FONT_FILE), subfontIndex=0)
    face = ttf.face
    # Each sheet's subset re-reads whole tables (glyf is 4 MB): read each once per process.
    face.get_table = cache(face.get_table)  # type: ignore[method-assign]
    face.makeSubset = _Glyphs(face).subset  # type: ignore[method-assign]
    add_subset = face.addSubsetObjects

    def add_quick_subset(doc: pdfdoc.PDFDocument, name: str, subset: list[int]) -> Any:
        descriptor = add_subset(doc, name, subset)
        stream: Any = doc.idToObject[f"fontFile:{face.filename}({name})"]  # reportlab's name
        if stream.filters:
            stream.filters = [QUICK_FLATE]
        return descriptor

    face.addSubsetObjects = add_quick_subset  # type: ignore[method-assign]
    pdfmetrics.registerFont(ttf)
    return FONT


class _Glyphs:
    """TTFontFile.makeSubset (reportlab 5.1) with each glyph's outline and components read
    once per process instead of once per subset: the same bytes (tests/committee/
    test_sheet_font.py compares them), 0.32 ms a subset of 215 characters instead of 0.70.

    Half the glyphs of WenQuanYi's Chinese characters are composites, which reportlab parses
    afresh, field by field, for every sheet.
    """

    def __init__(self, face: TTFontFace) -> None:
        self.face = face
        self.glyf = face.get_table("glyf")
        # old glyph index -> (outline bytes, [(offset of a component index, component)])
        self.cache: dict[int, tuple[bytes, list[tuple[int, int]]]] = {}

    def glyph(self, index: int) -> tuple[bytes, list[tuple[int, int]]]:
        found = self.cache.get(index)
        if found is None:
            start = self.face.glyphPos[index]
            data = self.glyf[start : self.face.glyphPos[index + 1]]
            found = self.cache[index] = (data, _components(data))
        return found

    def subset(self, subset: Sequence[int]) -> bytes:
        """Return the TrueType file of a subset, as TTFontFile.makeSubset writes it."""
        face = self.face
        output = TTFontMaker()
        glyph_map = [0]  # new glyph index -> old
        glyph_set = {0: 0}  # old -> new
        code_to_glyph = {}
        for code in subset:
            old = face.charToGlyph.get(code, 0)
            if old not in glyph_set:
                glyph_set[old] = len(glyph_map)
                glyph_map.append(old)
            code_to_glyph[code] = glyph_set[old]
        n = 0
        while n < len(glyph_map):  # the parts of composite glyphs, in reportlab's order
            for _offset, part in self.glyph(glyph_map[n])[1]:
                if part not in glyph_set:
                    glyph_set[part] = len(glyph_map)
                    glyph_map.append(part)
            n += 1
        for tag in ("name", "OS/2", "cvt ", "fpgm", "prep"):
            with suppress(KeyError):  # cvt, fpgm and prep are optional
                output.add(tag, face.get_table(tag))
        output.add("post", b"\x00\x03\x00\x00" + face.get_table("post")[4:16] + b"\x00" * 16)
        count = len(glyph_map)
        hmtx = []
        for old in glyph_map:
            advance, bearing = face.hmetrics[old]
            hmtx += [int(advance), int(bearing)]
        n = len(hmtx) - 2  # the trailing run of equal advances is written once
        while n and hmtx[n] == hmtx[n - 2]:
            n -= 2
        n += 2
        hmtx = hmtx[:n] + hmtx[n + 1 :: 2]
        output.add("hmtx", pack(f">{len(hmtx)}H", *hmtx))
        output.add("hhea", _set_ushort(face.get_table("hhea"), 34, n >> 1))
        output.add("maxp", _set_ushort(face.get_table("maxp"), 4, count))
        cmap = [0, 1, 1, 0, 0, 12, 6, 10 + len(subset) * 2, 0, 0, len(subset)]
        cmap += [code_to_glyph[code] for code in subset]
        output.add("cmap", pack(f">{len(cmap)}H", *cmap))
        offsets, glyf, pos = [], [], 0
        for old in glyph_map:
            offsets.append(pos)
            data, parts = self.glyph(old)
            if parts:
                patched = bytearray(data)
                for offset, part in parts:
                    pack_into(">H", patched, offset, glyph_set[part])
                data = bytes(patched)
            glyf.append(data)
            pos += len(data)
            if pos % 4:
                glyf.append(b"\0" * (4 - pos % 4))
                pos += 4 - pos % 4
        offsets.append(pos)
        output.add("glyf", b"".join(glyf))
        if (pos + 1) >> 1 > 0xFFFF:
            long_offsets = 1
            output.add("loca", pack(f">{len(offsets)}L", *offsets))
        else:
            long_offsets = 0
            output.add("loca", pack(f">{len(offsets)}H", *(o >> 1 for o in offsets)))
        output.add("head", _set_ushort(face.get_table("head"), 50, long_offsets))
        return output.makeStream()


def _set_ushort(data: bytes, offset: int, value: int) -> bytes:
    return data[:offset] + pack(">H", value) + data[offset + 2 :]


def _components(data: bytes) -> list[tuple[int, int]]:
    """Return where a composite glyph names its parts, and the parts (none for a simple one)."""
    if len(data) <= 2 or unpack_from(">h", data)[0] >= 0:
        return []
    parts, pos, flags = [], 10, GF_MORE_COMPONENTS
    while flags & GF_MORE_COMPONENTS:
        flags, part = unpack_from(">HH", data, pos)
        parts.append((pos + 2, part))
        pos += 8 if flags & GF_ARG_1_AND_2_ARE_WORDS else 6
        if flags & GF_WE_HAVE_A_SCALE:
            pos += 2
        elif flags & GF_WE_HAVE_AN_X_AND_Y_SCALE:
            pos += 4
        elif flags & GF_WE_HAVE_A_TWO_BY_TWO:
            pos += 8
    return parts


__all__ = ["FONT", "FONT_FILE", "font"]
