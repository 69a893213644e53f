"""On the phone: typed paper text survives uploading a PDF with 方式二, and can be taken back."""

from __future__ import annotations

import re

import pytest

from review.extensions import db
from tests.activist.conftest import draft_of, login
from tests.activist.samples import chinese_pdf

pytestmark = pytest.mark.slow

TYPED = (
    "敬爱的党组织：\n" + "这个季度我认真学习了党章，参加了社区志愿服务，对党的认识更加深刻。" * 8
)


def test_pdf_upload_keeps_the_typed_text_and_asks_first(app, people, live_server, phone, tmp_path):
    page = phone
    login(page, live_server)
    paper_url = f"{live_server}/my/periods/{people['period'].id}/paper"
    page.goto(paper_url)
    page.fill("#paper-text", TYPED)
    page.wait_for_function(
        "document.getElementById('autosave-state').textContent.includes('已自动保存')"
    )
    pdf = tmp_path / "汇报.pdf"
    pdf.write_bytes(chinese_pdf("我的思想汇报", "第二段"))
    dialogs: list[str] = []

    def answer(dialog) -> None:
        dialogs.append(dialog.message)
        if len(dialogs) == 1:
            dialog.dismiss()  # first time: the activist changes their mind
        else:
            dialog.accept()

    page.on("dialog", answer)
    page.click("#paper-file-card summary")
    page.set_input_files("input[name=document]", str(pdf))
    page.click("#paper-file-card button[type=submit]")
    page.wait_for_timeout(300)
    assert page.url == paper_url  # dismissed: nothing was uploaded
    assert len(dialogs) == 1 and "文字稿" in dialogs[0] and "保留" in dialogs[0]
    page.click("#paper-file-card button[type=submit]")
    page.wait_for_url(re.compile(r".*/my/periods/\d+/?$"))
    db.session.expire_all()
    assert draft_of(people).paper_kind == "pdf"

    page.goto(paper_url)  # the typed text is still there, and one tap brings it back
    page.wait_for_selector("#paper-kept")
    page.click("#paper-text-card summary")
    assert page.input_value("#paper-text") == TYPED.strip()
    page.click("#paper-text-card button[type=submit]")
    page.wait_for_url(re.compile(r".*/my/periods/\d+/?$"))
    db.session.expire_all()
    version = draft_of(people)
    assert version.paper_kind == "text" and version.paper_text == TYPED.strip()
