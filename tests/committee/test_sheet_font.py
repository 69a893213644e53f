"""The sheet font's subsets, built from glyphs read once per process, equal reportlab's own."""

from __future__ import annotations

import random

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFontFile

from review.services.exports.font import _components, font
from tests.committee.test_sheet_output import PAPER


def test_subsets_are_reportlabs_byte_for_byte():
    face = pdfmetrics.getFont(font()).face
    rng = random.Random(17)
    chinese = sorted({ord(c) for c in PAPER if ord(c) > 0x2000})
    cases = [[0], [0, *range(32, 127)], [0, *chinese[:255]]]
    known = sorted(face.charToGlyph)
    for _ in range(30):
        size = rng.randint(1, 255)
        codes = rng.sample(known, size) + [0x10FFFD]  # and a character the font lacks
        cases.append([0, *dict.fromkeys(codes)])
    for subset in cases:
        assert face.makeSubset(subset) == TTFontFile.makeSubset(face, subset)
    glyf = face.get_table("glyf")
    parts = [_components(glyf[face.glyphPos[g] : face.glyphPos[g + 1]]) for g in range(2000)]
    assert sum(map(bool, parts)) > 100  # composite glyphs, whose part indices are rewritten
