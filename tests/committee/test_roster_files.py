"""The roster template (download, fill, import) and the initial passwords as CSV, once."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from review.extensions import db
from review.models import AuditEvent, User
from review.services import accounts
from tests.fixtures.app import PASSWORD


def _filled_template(client) -> bytes:
    resp = client.get("/admin/roster/template.xlsx")
    assert resp.status_code == 200 and resp.data.startswith(b"PK")
    assert "filename*=UTF-8''%E5%90%8D%E5%8D%95" in resp.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(resp.data))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header == ["学号", "姓名", "支部", "角色", "邮箱", "初始密码"]
    example = [c.value for c in sheet[2]]
    assert example[0].startswith("例") and example[3] == "入党积极分子"
    assert "一支部" in " ".join(str(c.value) for c in book["填写说明"]["A"])
    sheet.append(["2026201", "周一", "一支部", "入党积极分子", "zhou@example.com", None])
    sheet.append(["t201", "吴老师", "一支部、二支部", "审阅人", None, None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_roster_template_round_trip(people, client, auth):
    auth.login("admin")
    filled = _filled_template(client)
    resp = client.post(
        "/admin/roster",
        data={"file": (io.BytesIO(filled), "名单.xlsx")},
        content_type="multipart/form-data",
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200, html
    assert "新建 2 个账号" in html  # the example row was skipped
    db.session.expire_all()
    activist = db.session.scalar(select(User).where(User.username == "2026201"))
    assert activist.email == "zhou@example.com" and activist.branch.name == "一支部"
    reviewer = db.session.scalar(select(User).where(User.username == "t201"))
    assert sorted(b.name for b in reviewer.reviewer_of) == ["一支部", "二支部"]
    assert db.session.scalar(select(User).where(User.name == "张三")) is None


def test_bad_email_is_refused_with_the_line(people, client, auth):
    auth.login("admin")
    data = "学号,姓名,支部,角色,邮箱\n2026301,郑二,一支部,入党积极分子,not-an-email\n"
    resp = client.post(
        "/admin/roster",
        data={"file": (io.BytesIO(data.encode("utf-8-sig")), "名单.csv")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 400 and "邮箱“not-an-email”格式不正确" in resp.get_data(as_text=True)


def test_initial_passwords_csv_downloads_once_and_is_audited(people, client, auth):
    auth.login("admin")
    data = (
        "学号,姓名,支部,角色\n2026401,王五,一支部,入党积极分子\n2026402,赵六,二支部,入党积极分子\n"
    )
    page = client.post(
        "/admin/roster",
        data={"file": (io.BytesIO(data.encode("utf-8-sig")), "名单.csv")},
        content_type="multipart/form-data",
    )
    assert page.headers["Cache-Control"] == "no-store"
    link = re.search(r'id="roster-passwords" href="([^"]+)"', page.get_data(as_text=True))
    assert link, "no download button"
    url = link.group(1).replace("&amp;", "&")
    resp = client.get(url)
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads the Chinese
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert rows[0] == ["学号", "姓名", "初始密码"]
    assert [r[:2] for r in rows[1:]] == [["2026401", "王五"], ["2026402", "赵六"]]
    db.session.expire_all()
    for username, _name, password in rows[1:]:
        user = db.session.scalar(select(User).where(User.username == username))
        assert user.check_password(password) and user.must_change_password
    again = client.get(url)  # once only
    assert again.status_code == 302 and again.location == "/admin/roster"
    assert "已下载过或已过期" in client.get("/admin/roster").get_data(as_text=True)
    actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions.count("roster.import") == 1 and actions.count("roster.passwords") == 1


def test_another_admin_cannot_take_the_passwords(people, app, client, auth):
    accounts.create_user("admin2", "钱主任", "admin", PASSWORD)
    auth.login("admin")
    data = "学号,姓名,支部,角色\n2026501,孙七,一支部,入党积极分子\n"
    page = client.post(
        "/admin/roster",
        data={"file": (io.BytesIO(data.encode("utf-8-sig")), "名单.csv")},
        content_type="multipart/form-data",
    )
    url = re.search(r'id="roster-passwords" href="([^"]+)"', page.get_data(as_text=True))
    auth.logout()
    auth.login("admin2")
    resp = client.get(url.group(1).replace("&amp;", "&"))
    assert resp.status_code == 302 and resp.location == "/admin/roster"
