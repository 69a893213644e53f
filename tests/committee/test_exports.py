"""XLSX, CSV, PDF and ZIP exports, read back and checked against the database."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from review.extensions import db
from review.models import AuditEvent, Review, Submission, User
from review.services import decisions
from review.services.exports.stats import quadratic_weighted_kappa

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "committee"


def expected_rows(period) -> dict[str, dict]:
    """Read every number straight from the models, independently of the export code."""
    criteria = period.rubric_version.criteria
    out = {}
    for sub in db.session.scalars(select(Submission).where(Submission.period_id == period.id)):
        reviews = sorted(
            db.session.scalars(
                select(Review).where(
                    Review.version_id == sub.current.id, Review.state == "submitted"
                )
            ),
            key=lambda r: r.submitted_at,
        )
        per = [{s.criterion_id: s.points for s in r.scores} for r in reviews]
        decision = decisions.get_decision(sub.current.id)
        agreed = {m.criterion_id: m.points for m in decision.marks} if decision else {}
        out[sub.activist.username] = {
            "scores": [[p.get(c.id) for c in criteria] for p in per],
            "totals": [sum(p.values()) for p in per],
            "agreed": [agreed.get(c.id) for c in criteria],
            "agreed_total": sum(agreed.values()) if agreed else None,
            "reviewers": [db.session.get(User, r.reviewer_id).name for r in reviews],
            "outcome": decisions.outcome_label(decision.outcome) if decision else "",
        }
    return out


def _width(ws, index: int) -> float:
    """Return a column's width; adjacent columns of equal width share one <col> element."""
    for dim in ws.column_dimensions.values():
        if dim.min <= index <= dim.max:
            return dim.width
    return 0


def test_xlsx_numbers_match_database(decided, client, token_for):
    period = decided["period"]
    resp = client.get(f"/api/v1/periods/{period.id}/export.xlsx", headers=token_for("c1"))
    assert resp.status_code == 200
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="huibao-period')
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "2026年第四季度_全部支部.xlsx"
    wb = load_workbook(io.BytesIO(resp.data))
    assert wb.sheetnames == ["汇总", "一支部", "二支部"]
    expected = expected_rows(period)
    criteria = period.rubric_version.criteria
    for title in ("一支部", "二支部"):
        ws = wb[title]
        assert ws.freeze_panes == "C2" and ws.auto_filter.ref.startswith("A1:")
        header = [c.value for c in ws[1]]
        assert header[:4] == ["学号", "姓名", "支部", "状态"]
        col = {name: i for i, name in enumerate(header)}
        for index, name in enumerate(header, start=1):
            wide = sum(1 if ch.isascii() else 2 for ch in name)
            assert _width(ws, index) >= wide, name  # Chinese headers fit
        for row in ws.iter_rows(min_row=2, values_only=True):
            want = expected[row[0]]
            assert row[col["支部"]] == title
            for n, c in enumerate(criteria):
                for slot in range(2):
                    got = row[col[f"{c.title}（审阅人{slot + 1}）"]]
                    ref = want["scores"][slot][n] if slot < len(want["scores"]) else None
                    assert got == ref, (row[0], c.title, slot)
                assert row[col[f"{c.title}（认定）"]] == want["agreed"][n]
            for slot in range(2):
                ref = want["totals"][slot] if slot < len(want["totals"]) else None
                assert row[col[f"审阅人{slot + 1}总分"]] == ref
                ref = want["reviewers"][slot] if slot < len(want["reviewers"]) else None
                assert (row[col[f"审阅人{slot + 1}"]] or None) == ref
            assert row[col["认定总分"]] == want["agreed_total"]
            assert (row[col["结论"]] or "") == want["outcome"]
    assert wb["一支部"]["A2"].value == "a1" and wb["一支部"]["E2"].value == 18
    summary = {r[0]: r for r in wb["汇总"].iter_rows(min_row=5, values_only=True) if r[0]}
    head = [c.value for c in wb["汇总"][4]]
    one = dict(zip(head, summary["一支部"], strict=True))
    assert one["积极分子"] == 1 and one["双评份数"] == 1 and one["总分平均绝对差"] == 35
    assert one["已认定"] == 1 and one["审阅中"] == 1
    ref = quadratic_weighted_kappa([(18, 10), (17, 9), (16, 8), (15, 12), (19, 11)], 21)
    assert one["加权Kappa"] == round(ref, 3)
    assert dict(zip(head, summary["合计"], strict=True))["积极分子"] == 2
    read = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "read"))
    assert read.file == f"export:xlsx:{period.id}:0" and read.detail["via"] == "api"


def test_kappa_against_reference():
    np = pytest.importorskip("numpy")
    a, b, k = [0, 1, 2, 3, 3, 2, 1, 0, 2, 3], [0, 2, 2, 3, 2, 2, 0, 1, 3, 3], 4
    observed = np.zeros((k, k))
    for x, y in zip(a, b, strict=True):
        observed[x, y] += 1
    expected = np.outer(np.bincount(a, minlength=k), np.bincount(b, minlength=k)) / len(a)
    weights = np.array([[(i - j) ** 2 for j in range(k)] for i in range(k)]) / (k - 1) ** 2
    reference = 1 - (weights * observed).sum() / (weights * expected).sum()
    assert quadratic_weighted_kappa(list(zip(a, b, strict=True)), k) == pytest.approx(reference)
    assert quadratic_weighted_kappa([(2, 2), (3, 3), (1, 1)], 4) == pytest.approx(1.0)
    assert quadratic_weighted_kappa([(2, 2), (2, 2)], 4) is None


def test_csv_has_bom_and_the_same_rows(decided, client, token_for):
    period = decided["period"]
    resp = client.get(f"/api/v1/periods/{period.id}/export.csv", headers=token_for("c1"))
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert resp.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    header = rows[0]
    assert header[:4] == ["学号", "姓名", "支部", "状态"]
    assert "入党动机（审阅人2）" in header and header[-1] == "发布时间"
    by_user = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert set(by_user) == {"a1", "a2"}
    assert by_user["a1"]["入党动机（审阅人1）"] == "18" and by_user["a1"]["认定总分"] == "67.5"
    assert by_user["a1"]["状态"] == "审阅中" and by_user["a1"]["结论"] == "通过"
    assert by_user["a2"]["入党动机（审阅人2）"] == "" and by_user["a2"]["审阅人1"] == "陈老师"


def test_formula_cells_are_neutralised(decided, client, token_for):
    from review.services import accounts
    from tests.committee.conftest import make_submission
    from tests.fixtures.app import PASSWORD

    evil = accounts.create_user(
        "a9", '=HYPERLINK("http://x","点我")', "activist", PASSWORD, ["一支部"]
    )
    sub = make_submission(evil, decided["period"])
    decisions.set_decision(sub.id, decided["committee"].id, {}, "fail", "@SUM(1+1)")
    headers = token_for("c1")
    wb = load_workbook(
        io.BytesIO(
            client.get(f"/api/v1/periods/{decided['period'].id}/export.xlsx", headers=headers).data
        )
    )
    row = next(r for r in wb["一支部"].iter_rows(min_row=2) if r[0].value == "a9")
    assert row[1].value == '\'=HYPERLINK("http://x","点我")' and row[1].data_type == "s"
    comment = [c for c in row if c.value == "'@SUM(1+1)"]
    assert comment and comment[0].data_type == "s"
    text = client.get(
        f"/api/v1/periods/{decided['period'].id}/export.csv", headers=headers
    ).data.decode("utf-8-sig")
    line = next(r for r in csv.reader(io.StringIO(text)) if r[0] == "a9")
    assert line[1].startswith("'=") and "'@SUM(1+1)" in line
    assert not any(cell.startswith(("=", "+", "@")) for cell in line)


def test_pdf_assessment_sheet(decided, client, token_for, pdftoppm):
    sub1 = decided["sub1"]
    resp = client.get(f"/api/v1/submissions/{sub1.id}/assessment.pdf", headers=token_for("c1"))
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert "filename*=UTF-8''a1_%E6%9D%8E%E6%98%8E.pdf" in resp.headers["Content-Disposition"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "assessment.pdf"
    pdf.write_bytes(resp.data)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(resp.data)).pages)
    flat = "".join(text.split())
    for needle in (
        "思想汇报考核表",
        "李明",
        "一支部",
        "2026年第四季度",
        "入党动机",
        "王老师",
        "刘老师",
        "“拥护党的纲领”一句语气坚定",
        "开头声音偏小",
        "誓词略快",
        "拥护党的纲领",
        "通过本季度的学习",
        "态度端正，继续保持。",
        "审阅人签字",
        "党委意见",
        "0:12",
    ):
        assert needle in flat, needle
    assert "通过" in flat and "67.5" in flat and "85" in flat and "50" in flat
    subprocess.run(
        [
            pdftoppm,
            "-r",
            "70",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            str(pdf),
            str(ARTIFACTS / "assessment"),
        ],
        check=True,
    )
    assert (ARTIFACTS / "assessment-1.png").stat().st_size > 10_000
    # a sheet without a decision, a second reviewer or comments still builds
    other = client.get(
        f"/api/v1/submissions/{decided['sub2'].id}/assessment.pdf", headers=token_for("c1")
    )
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(other.data)).pages)
    assert "赵红" in text and "尚未认定" in text and "陈老师" in text


def test_zip_manifest_matches_files(decided, client, token_for):
    period = decided["period"]
    resp = client.get(f"/api/v1/periods/{period.id}/export.zip", headers=token_for("c1"))
    assert resp.status_code == 200
    bundle = zipfile.ZipFile(io.BytesIO(resp.data))
    manifest = json.loads(bundle.read("manifest.json"))
    names = set(bundle.namelist()) - {"manifest.json"}
    assert {f["name"] for f in manifest["files"]} == names
    per = ("{}.pdf", "{}_书面汇报.txt", "{}_转写.txt")
    assert names == {"2026年第四季度_全部支部.xlsx"} | {
        p.format(who) for who in ("一支部/a1_李明", "二支部/a2_赵红") for p in per
    }
    for entry in manifest["files"]:
        data = bundle.read(entry["name"])
        assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["bytes"]
    branch = client.get(
        f"/api/v1/periods/{period.id}/export.zip?branch={decided['sub2'].branch_id}",
        headers=token_for("c1"),
    )
    assert set(zipfile.ZipFile(io.BytesIO(branch.data)).namelist()) == {
        "2026年第四季度_二支部.xlsx",
        "a2_赵红.pdf",
        "a2_赵红_书面汇报.txt",
        "a2_赵红_转写.txt",
        "manifest.json",
    }


@pytest.mark.parametrize("path", ["export.xlsx", "export.csv", "export.zip"])
def test_reviewers_and_activists_cannot_export(marked, client, token_for, path):
    url = f"/api/v1/periods/{marked['period'].id}/{path}"
    for user in ("r1", "a1"):
        resp = client.get(url, headers=token_for(user))
        assert resp.status_code == 403 and "党委" in resp.get_json()["error"]["message"]
    assert client.get(url).status_code == 401


def test_export_job_with_progress_page(decided, app, client, auth):
    from tests.fixtures.pipeline import run_jobs

    auth.login("r1")
    assert (
        client.post(
            f"/committee/periods/{decided['period'].id}/exports", data={"kind": "xlsx"}
        ).status_code
        == 403
    )
    auth.logout()
    auth.login("c1")
    resp = client.post(f"/committee/periods/{decided['period'].id}/exports", data={"kind": "xlsx"})
    assert resp.status_code == 302
    page_url = resp.headers["Location"]
    job_id = page_url.rstrip("/").rsplit("/", 1)[1]
    status = client.get(f"/committee/exports/{job_id}/status").get_json()
    assert status["status"] == "queued" and status["ready"] is False
    assert "正在生成" in client.get(page_url).get_data(as_text=True)
    run_jobs(app)
    status = client.get(f"/committee/exports/{job_id}/status").get_json()
    assert status["ready"] is True and status["progress"] == 1.0
    with client.get(f"/committee/exports/{job_id}/download") as download:
        assert download.status_code == 200
        assert "filename*=UTF-8''" in download.headers["Content-Disposition"]
        data = download.data
    assert load_workbook(io.BytesIO(data)).sheetnames == ["汇总", "一支部", "二支部"]
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"export", "read"} <= actions
    download = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "read"))
    assert download.file == f"export:{job_id}" and download.object_id == str(decided["period"].id)
    assert client.get("/committee/exports/export-xlsx-1-0-nope/status").status_code == 404


@pytest.mark.committed_db  # the worker process reads the data
def test_export_job_in_a_worker_process(decided, app):
    from review.services.exports.jobs import export_status, start_export
    from tests.fixtures.pipeline import worker_process

    job_id = start_export(decided["committee"].id, "zip", decided["period"].id)
    proc = worker_process(app, "default", burst=True)
    assert proc.wait(timeout=180) == 0
    status = export_status(job_id)
    assert status.status == "finished" and status.progress == 1.0 and status.path is not None
    with zipfile.ZipFile(status.path) as bundle:
        assert len(json.loads(bundle.read("manifest.json"))["files"]) == 7


def test_downloads_built_on_request_leave_through_the_front_server(decided, make_app):
    """Assessment sheets and API exports go out by X-Accel like every other private file."""
    from tests.fixtures.app import PASSWORD

    app = make_app(SENDFILE_MODE="x-accel", SENDFILE_ACCEL_PREFIX="/_media/")
    client = app.test_client()
    token = client.post("/api/v1/session", json={"username": "c1", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    sub1 = decided["sub1"]
    period = sub1.period_id
    media = Path(app.config["MEDIA_ROOT"]).resolve()
    for url, magic in (
        (f"/api/v1/submissions/{sub1.id}/assessment.pdf", b"%PDF"),
        (f"/api/v1/periods/{period}/export.csv", b"\xef\xbb\xbf"),
        (f"/api/v1/periods/{period}/export.xlsx", b"PK"),
        (f"/api/v1/periods/{period}/export.zip", b"PK"),
    ):
        resp = client.get(url, headers=headers)
        assert resp.status_code == 200, url
        assert resp.data == b"", url  # nginx sends the bytes
        accel = resp.headers["X-Accel-Redirect"]
        assert accel.startswith("/_media/exports/downloads/"), accel
        stored = media / accel.removeprefix("/_media/")
        assert stored.read_bytes().startswith(magic), url
        assert "filename*=UTF-8''" in resp.headers["Content-Disposition"]
