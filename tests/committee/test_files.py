"""The files the committee files: a one-page PDF with its font embedded, the ZIP, the XLSX."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from review import storage
from review.extensions import db
from review.models import PaperFile, Review
from tests.committee.conftest import PAPER

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "committee"
TITLE = "关于本季度理论学习的思想汇报"


def fonts(pdffonts: str, path: Path) -> list[list[str]]:
    """Return pdffonts' rows: name, type, …, emb, sub, uni, object, generation."""
    out = subprocess.run([pdffonts, str(path)], capture_output=True, text=True, check=True)
    return [line.split() for line in out.stdout.splitlines()[2:] if line.strip()]


def test_assessment_sheet_is_one_page_with_its_font_embedded(
    decided, client, token_for, pdftoppm, pdffonts
):
    version = decided["sub1"].current
    version.paper_text = f"{TITLE}\n\n敬爱的党组织：\n{PAPER}"
    db.session.commit()
    resp = client.get(
        f"/api/v1/submissions/{decided['sub1'].id}/assessment.pdf", headers=token_for("c1")
    )
    assert resp.status_code == 200
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "assessment-one-page.pdf"
    pdf.write_bytes(resp.data)
    reader = PdfReader(io.BytesIO(resp.data))
    assert len(reader.pages) == 1  # the sign-off block is no longer orphaned on page 2
    rows = fonts(pdffonts, pdf)
    assert rows and all(row[-5] == "yes" for row in rows), rows  # emb = yes, every font
    assert not any("STSong" in row[0] or "Helvetica" in row[0] for row in rows), rows
    lines = [line.strip() for line in reader.pages[0].extract_text().splitlines()]
    assert TITLE in lines  # the paper's title stands on its own line, apart from its text
    flat = "".join("".join(lines).split())
    assert flat.count("党委意见") == 1  # one box, holding the committee's comment
    assert "党委意见态度端正，继续保持。" in flat
    assert "审阅人签字" in flat and "党委（盖章）" in flat
    subprocess.run(
        [pdftoppm, "-r", "80", "-png", "-singlefile", str(pdf), str(ARTIFACTS / "one-page")],
        check=True,
    )
    assert (ARTIFACTS / "one-page.png").stat().st_size > 10_000


def test_zip_holds_paper_files_and_transcripts_in_beijing_time(decided, app, client, token_for):
    version = decided["sub2"].current
    folder = storage.paper_folder(version.id)
    folder.mkdir(parents=True, exist_ok=True)
    pages = [b"\xff\xd8\xff page one", b"\xff\xd8\xff page two"]
    for n, data in enumerate(pages):
        (folder / f"page{n}.jpg").write_bytes(data)
        db.session.add(
            PaperFile(
                version_id=version.id,
                position=n,
                kind="photo",
                path=storage.relative(folder / f"page{n}.jpg"),
                original_name=f"IMG_{n}.jpg",
                size_bytes=len(data),
            )
        )
    version.paper_kind = "photos"
    db.session.commit()
    before = datetime.now(UTC)
    resp = client.get(f"/api/v1/periods/{decided['period'].id}/export.zip", headers=token_for("c1"))
    bundle = zipfile.ZipFile(io.BytesIO(resp.data))
    names = set(bundle.namelist())
    assert bundle.read("二支部/a2_赵红_书面汇报_1.jpg") == pages[0]
    assert bundle.read("二支部/a2_赵红_书面汇报_2.jpg") == pages[1]
    assert bundle.read("一支部/a1_李明_书面汇报.txt").decode() == PAPER  # a typed report
    transcript = bundle.read("一支部/a1_李明_转写.txt").decode()
    assert "[0:10–0:19] 拥护党的纲领" in transcript
    assert "二支部/a2_赵红_转写.txt" in names
    manifest = json.loads(bundle.read("manifest.json"))
    assert manifest["generated_at"].endswith("+08:00") and manifest["timezone"] == "Asia/Shanghai"
    generated = datetime.fromisoformat(manifest["generated_at"])
    assert abs(generated - before) < timedelta(minutes=2)
    beijing = (before + timedelta(hours=8)).replace(tzinfo=None)
    for info in bundle.infolist():  # ZIP times carry no zone: they are Beijing wall time
        stamp = datetime(*info.date_time)
        assert abs(stamp - beijing) < timedelta(minutes=2), (info.filename, info.date_time)
    papers = [f for f in manifest["files"] if f["kind"] == "paper"]
    assert {f["original_name"] for f in papers if "original_name" in f} == {
        "IMG_0.jpg",
        "IMG_1.jpg",
    }
    sheet = next(f for f in manifest["files"] if f["name"] == "一支部/a1_李明.pdf")
    assert sheet["submitted_at"].endswith("+08:00")


def test_xlsx_has_real_dates_and_one_state_column(decided, client, token_for):
    from review.services import decisions

    decisions.release(
        decided["committee"].id, decided["period"].id, submission_ids=[decided["sub1"].id]
    )
    resp = client.get(
        f"/api/v1/periods/{decided['period'].id}/export.xlsx", headers=token_for("c1")
    )
    book = load_workbook(io.BytesIO(resp.data))
    summary = book["汇总"]
    header = [c.value for c in summary[4]]
    assert header.count("已发布") == 1 and "结果已发布" not in header
    assert isinstance(summary["B2"].value, datetime) and "年" in summary["B2"].number_format
    sheet = book["一支部"]
    head = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(head, sheet[2], strict=True)}
    assert head.count("状态") == 1 and row["状态"].value == "已发布"
    submitted, released = row["审阅人1提交时间"], row["发布时间"]
    for cell in (submitted, released):
        assert isinstance(cell.value, datetime), cell.value
        assert cell.number_format == 'yyyy"年"m"月"d"日" hh:mm'
    # Beijing wall time, as the reader's clock shows it
    review_at = min(
        r.submitted_at
        for r in db.session.scalars(
            select(Review).where(Review.version_id == decided["sub1"].current.id)
        )
    )
    expected = review_at.astimezone(UTC) + timedelta(hours=8)
    assert abs(submitted.value - expected.replace(tzinfo=None)) < timedelta(minutes=1)


def test_zip_sheets_drawn_by_a_pool_of_processes(decided, app, monkeypatch):
    """A large ZIP draws its sheets in forked processes: the same sheets, in Chinese."""
    from review.services.exports import zip as bundle

    monkeypatch.setattr(bundle, "PARALLEL_FROM", 1)
    monkeypatch.setitem(app.config, "EXPORT_PDF_WORKERS", 2)
    out = io.BytesIO()
    manifest = bundle.write_zip(decided["period"].id, None, out)
    sheets = [f for f in manifest["files"] if f["kind"] == "pdf"]
    assert [f["username"] for f in sheets] == ["a1", "a2"]
    with zipfile.ZipFile(out) as archive:
        for entry, name in zip(sheets, ("李明", "赵红"), strict=True):
            text = PdfReader(io.BytesIO(archive.read(entry["name"]))).pages[0].extract_text()
            assert name in text and "思想汇报考核表" in text


def test_zip_pool_ends_its_children_under_a_parents_sigterm_handler(decided, app, monkeypatch):
    """An in-process RQ worker (SimpleWorker, as the tests run jobs) leaves its SIGTERM handler
    installed. Forked pool children inherited it, so the pool's SIGTERM could not end a child
    still writing a sheet when the export stopped early: the pool's join waited for ever (the
    whole test suite hung here). The children now die by SIGTERM whatever the parent set."""
    import multiprocessing
    import signal
    import threading

    from review.services.exports import zip as bundle
    from review.services.exports.sheet import load_sheets

    monkeypatch.setitem(app.config, "EXPORT_PDF_WORKERS", 2)
    sheets = list(load_sheets([decided["sub1"].id, decided["sub2"].id])) * 40
    previous = signal.signal(signal.SIGTERM, lambda *_: None)
    try:
        done: list[int] = []

        def stop_early() -> None:
            with app.app_context():
                drawn = bundle._drawn(sheets, len(sheets))
                next(drawn)  # the first PDF; the children are drawing and writing the rest
                drawn.close()  # the export fails here: the pool is terminated
                done.append(1)

        worker = threading.Thread(target=stop_early, daemon=True)
        worker.start()
        worker.join(timeout=60)
        assert done, "the pool did not end within 60 s"
        assert multiprocessing.active_children() == []
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_xlsx_summary_has_native_charts_over_its_table(decided, client, token_for):
    """Excel's own charts (not pictures) under the summary table, reading its cells."""
    import re
    import zipfile

    resp = client.get(
        f"/api/v1/periods/{decided['period'].id}/export.xlsx", headers=token_for("c1")
    )
    book = zipfile.ZipFile(io.BytesIO(resp.data))
    charts = sorted(n for n in book.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
    assert len(charts) == 2  # progress by state, and agreement (a1 is double-marked)
    progress, spread = (book.read(n).decode() for n in charts)
    assert "<c:barChart>" in progress and '<c:grouping val="stacked"/>' in progress
    assert progress.count("<c:ser>") == 7 and "汇总!$A$5:$A$6" in progress
    assert "<c:barChart>" in spread and "汇总!$L$5:$L$6" in spread  # 总分平均绝对差
    drawing = book.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
    assert "drawing" in drawing  # anchored on the summary sheet
