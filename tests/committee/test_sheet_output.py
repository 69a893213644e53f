"""What the assessment sheet and the ZIP hold stays put when their drawing is made faster.

The golden files in tests/data/exports/ were written by the sheet code before the speed work
(issue 17): the text poppler reads from the page, laid out as on paper (so a changed line
break, column or order shows), its fonts and its page count. Regenerate them only for a
deliberate change of the sheet: `REGENERATE_GOLDEN=1 pytest tests/committee/test_sheet_output.py`.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from review.services.exports.pdf import render_sheet
from review.services.exports.sheet import Sheet, SheetReview

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "exports"
PAPER = (
    "关于本季度理论学习的思想汇报\n"
    "敬爱的党组织：\n"
    "本季度我认真学习了党的二十大报告和新修订的《中国共产党章程》，参加了支部组织的"
    "“三会一课”和两次志愿服务活动（社区义诊、图书馆整理），对全心全意为人民服务的宗旨"
    "有了更深的体会。\n"
    "一、理论学习。我每周安排不少于 6 小时的学习时间，做了 3 万字的笔记，并在 11 月的"
    "支部学习会上作了交流发言；不足之处是联系实际还不够紧密。\n"
    "二、今后打算。我将继续加强理论学习，严格按照党员标准要求自己，请党组织继续考验我！"
    "以上是我本季度的思想汇报，恳请党组织批评指正。"
)


def golden_sheet() -> Sheet:
    """A full sheet: two reviewers with notes and time-coded comments, a decision, a title."""
    criteria = [
        (1, "入党动机", 20.0),
        (2, "对党的认识", 20.0),
        (3, "学习情况", 20.0),
        (4, "参加活动的心得体会", 20.0),
        (5, "入党誓词", 20.0),
    ]
    return Sheet(
        submission_id=1,
        version_id=1,
        period="2026年第四季度",
        branch="计算机学院第一党支部",
        username="2026010203",
        name="欧阳明月",
        submitted_at=datetime(2026, 11, 26, 8, 8, tzinfo=UTC),
        state="已发布",
        criteria=criteria,
        max_total=100.0,
        paper_text=PAPER,
        reviews=[
            SheetReview(
                reviewer="王老师",
                scores={1: 18, 2: 17, 3: 16.5, 4: 15, 5: 19},
                notes={3: "笔记详实，交流发言有内容"},
                comments=[(12.0, "“拥护党的纲领”一句语气坚定"), (95.5, "誓词略快")],
                overall="态度端正，内容充实。",
            ),
            SheetReview(
                reviewer="刘老师",
                scores={1: 16, 2: 15, 3: 17, 4: 14, 5: 18},
                comments=[(5.0, "开头声音偏小")],
                overall="联系实际还可加强。",
            ),
        ],
        agreed={1: 17, 2: 16, 3: 17, 4: 14.5, 5: 18.5},
        outcome="通过",
        decision_comment="态度端正，继续保持。",
        released_at=datetime(2026, 11, 30, 2, 0, tzinfo=UTC),
        segments=[
            (0.0, 9.5, "我志愿加入中国共产党"),
            (10.0, 19.5, "拥护党的纲领"),
            (90.0, 99.5, "遵守党的章程，履行党员义务"),
        ],
    )


def pdf_text(pdffonts: str, pdf: bytes, tmp_path: Path) -> str:
    """Return poppler's text of the PDF, laid out as on the page."""
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    pdftotext = str(Path(pdffonts).with_name("pdftotext"))  # both come with poppler-utils
    out = subprocess.run(
        [pdftotext, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return out.stdout


def font_rows(pdffonts: str, pdf: bytes, tmp_path: Path) -> str:
    """Return pdffonts' rows of the PDF: name, type, encoding, emb, sub, uni."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    out = subprocess.run([pdffonts, str(path)], capture_output=True, text=True, check=True)
    return "".join(" ".join(line.split()[:6]) + "\n" for line in out.stdout.splitlines()[2:])


def compare(name: str, actual: str) -> None:
    """Check actual against the golden file, or rewrite it when asked to."""
    path = GOLDEN / name
    if os.environ.get("REGENERATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")


def test_sheet_reads_as_before(app, pdffonts, tmp_path):
    """The same words in the same places, one page, the font embedded as a subset."""
    with app.test_request_context():
        pdf = render_sheet(golden_sheet())
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    compare("sheet.txt", pdf_text(pdffonts, pdf, tmp_path))
    fonts = font_rows(pdffonts, pdf, tmp_path)
    compare("sheet-fonts.txt", fonts)
    assert " yes yes yes" in fonts and "Helvetica" not in fonts


def test_long_paper_summary_keeps_its_lines(app, pdffonts, tmp_path):
    """A summary cut at 300 characters, many short paragraphs, Latin words among the Chinese."""
    sheet = golden_sheet()
    sheet.paper_text = "\n".join(
        f"{n}. 学习 Python {n}.{n} 与 Flask 的体会：坚持每天阅读，联系实际，查找不足。"
        for n in range(1, 12)
    )
    sheet.reviews = sheet.reviews[:1]
    sheet.outcome, sheet.decision_comment, sheet.released_at = "", "", None
    with app.test_request_context():
        pdf = render_sheet(sheet)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    compare("sheet-long-summary.txt", pdf_text(pdffonts, pdf, tmp_path))


_VOLATILE = re.compile(
    rb"/(CreationDate|ModDate) \(D:\d{14}[^)]*\)|/ID \n?\[<[0-9a-f]+><[0-9a-f]+>\]"
)


def steady(data: bytes) -> bytes:
    """Blank a PDF's creation times and file ID, which change with the clock."""
    return _VOLATILE.sub(b"/-", data)


@pytest.mark.parametrize(("workers", "batch"), [(1, 200), (2, 200), (2, 1)])
def test_zip_entries_as_before(decided, app, monkeypatch, workers, batch):
    """The same entries in the same order, stored or deflated as before, the same bytes
    (a PDF's creation times and ID aside), whether one process draws the sheets or a pool,
    in one batch or in several that the pool draws while the next is read."""
    from review.services.exports import zip as bundle

    monkeypatch.setattr(bundle, "PARALLEL_FROM", 1)
    monkeypatch.setattr(bundle, "CHUNK", batch)
    monkeypatch.setitem(app.config, "EXPORT_PDF_WORKERS", workers)
    out = io.BytesIO()
    with app.test_request_context():
        manifest = bundle.write_zip(decided["period"].id, None, out)
        monkeypatch.setitem(app.config, "EXPORT_PDF_WORKERS", 1)
        from review.services.exports.sheet import load_sheets

        ids = [decided["sub1"].id, decided["sub2"].id]
        expected = {s.username: steady(render_sheet(s)) for s in load_sheets(ids)}
    with zipfile.ZipFile(out) as archive:
        listing = [
            (i.filename, "stored" if i.compress_type == zipfile.ZIP_STORED else "deflated")
            for i in archive.infolist()
        ]
        assert listing == [
            ("2026年第四季度_全部支部.xlsx", "stored"),
            ("一支部/a1_李明.pdf", "stored"),
            ("一支部/a1_李明_书面汇报.txt", "deflated"),
            ("一支部/a1_李明_转写.txt", "deflated"),
            ("二支部/a2_赵红.pdf", "stored"),
            ("二支部/a2_赵红_书面汇报.txt", "deflated"),
            ("二支部/a2_赵红_转写.txt", "deflated"),
            ("manifest.json", "deflated"),
        ]
        for entry in manifest["files"]:
            if entry["kind"] == "pdf":
                assert steady(archive.read(entry["name"])) == expected[entry["username"]]
