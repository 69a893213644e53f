"""The lexicon in force (shipped + this installation's changes), its admin page, its audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from media.asr import Segment
from media.terms import shipped_terms
from review.exceptions import ValidationError
from review.extensions import db
from review.models import AuditEvent
from review.services import terms


def test_added_terms_come_first_and_correct_transcripts(app, people):
    admin = people["admin"].id
    heard = "我们参观了红色教育鸡地"
    assert terms.correct_transcript([Segment(0, 2, heard)])[0].fixes == []
    terms.add_term(admin, " 红色 教育基地 ")
    assert terms.get_lexicon()[0] == "红色教育基地"
    (fixed,) = terms.correct_transcript([Segment(0.5, 2.5, heard)])
    assert (fixed.start, fixed.end, fixed.text) == (0.5, 2.5, "我们参观了红色教育基地")
    assert fixed.heard == heard
    assert fixed.fixes == [{"at": 9, "heard": "鸡地", "term": "基地", "entry": "红色教育基地"}]


def test_removed_shipped_term_is_not_used_and_can_come_back(app, people):
    admin = people["admin"].id
    assert "乡村振兴" in terms.get_lexicon()
    terms.remove_term(admin, "乡村振兴")
    assert "乡村振兴" not in terms.get_lexicon()
    terms.add_term(admin, "乡村振兴")
    assert "乡村振兴" in terms.get_lexicon()
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["lexicon.remove", "lexicon.add"]


@pytest.mark.parametrize("bad", ["", "党", "abc", "党" * 31, "纲领<script>"])
def test_bad_terms_are_refused(app, people, bad):
    with pytest.raises(ValidationError):
        terms.add_term(people["admin"].id, bad)


def test_correction_can_be_switched_off(app, people):
    app.config["TERM_CORRECTION"] = False
    (fixed,) = terms.correct_transcript([Segment(0, 1, "拥护党的钢灵,遵守党的章程")])
    assert fixed.text == fixed.heard == "拥护党的钢灵，遵守党的章程"  # punctuation still full-width


def test_hints_fit_the_budget(app, people):
    app.config["WHISPER_HOTWORDS_CHARS"] = 30
    hints = terms.whisper_hints()
    assert hints["initial_prompt"] == app.config["WHISPER_PROMPT"]
    assert hints["hotwords"] and len(hints["hotwords"]) <= 30
    assert hints["hotwords"].startswith(shipped_terms()[0])
    app.config["WHISPER_HOTWORDS_CHARS"] = 0
    assert terms.whisper_hints()["hotwords"] is None


def test_admin_page_adds_and_removes_terms(client, auth, people):
    auth.login("admin")
    page = client.get("/admin/lexicon").get_data(as_text=True)
    assert "履行党员义务" in page and "还没有加入术语" in page
    resp = client.post("/admin/lexicon", data={"term": "红色教育基地"}, follow_redirects=True)
    assert resp.status_code == 200 and "已加入术语“红色教育基地”" in resp.get_data(as_text=True)
    assert terms.get_lexicon()[0] == "红色教育基地"
    resp = client.post("/admin/lexicon", data={"term": "x"}, follow_redirects=True)
    assert "术语只能由两个以上汉字组成" in resp.get_data(as_text=True)
    resp = client.post("/admin/lexicon/remove", data={"term": "三会一课"}, follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert "已移除术语“三会一课”" in page and "已移除的随附术语" in page
    assert "三会一课" not in terms.get_lexicon()
    resp = client.post("/admin/lexicon/remove", data={"term": "不存在的词"}, follow_redirects=True)
    assert resp.status_code == 200 and "术语表里没有" in resp.get_data(as_text=True)
    auth.logout()
    auth.login("r1")
    assert client.post("/admin/lexicon", data={"term": "坏词语"}).status_code == 403
    assert "坏词语" not in terms.get_lexicon()
