"""Search in transcripts and paper reports: matches, seek times, index upkeep and access rules."""

from __future__ import annotations

import pytest

from review.exceptions import PermissionDeniedError, ValidationError
from review.extensions import db
from review.models import TranscriptSegment
from review.services import search
from tests.analyses.texts import OTHER, REPORT, THIRD

ONE = [
    (0.0, 6.0, "敬爱的党组织，这个季度我参加了社区志愿服务。"),
    (6.0, 13.5, "我在实验室帮助低年级同学解决科研问题。"),
    (13.5, 20.0, "今后我要多读原著，提高理论水平。"),
]
TWO = [
    (0.0, 8.0, "尊敬的党支部，我在社区卫生服务中心做疫苗接种引导。"),
    (8.0, 15.0, "每周六上午给老人讲解怎样在手机上预约。"),
]


@pytest.fixture
def reports(make_version):
    """a1 (一支部) and a2 (二支部) with submitted reports; a draft of no one's concern."""
    return {
        "one": make_version("activist", OTHER, ONE),
        "two": make_version("activist_b", THIRD, TWO),
    }


def found(user, query: str) -> list[tuple[int, str, float | None]]:
    return [(h.submission_id, h.kind, h.start) for h in search.search(user.id, query)]


def test_phrase_in_one_transcript_seeks_to_its_segment(reports, people):
    hits = found(people["committee"], "实验室帮助")
    assert hits == [(reports["one"].submission_id, "transcript", 6.0)]
    hit = search.search(people["committee"].id, "实验室帮助")[0]
    assert (hit.before, hit.match) == ("我在", "实验室帮助")
    assert hit.after.startswith("低年级同学")


def test_paper_hits_and_both_branches_for_the_committee(reports, people):
    hits = found(people["committee"], "党员")
    kinds = {(s, k) for s, k, _t in hits}
    assert (reports["one"].submission_id, "paper") in kinds  # 身边的党员请教
    assert (reports["two"].submission_id, "paper") in kinds  # 许多党员干部


@pytest.mark.parametrize("query", ["社区", "志愿服务", "疫苗接种引导"])
def test_reviewer_never_sees_another_branch(reports, people, query):
    mine = {s for s, _k, _t in found(people["reviewer"], query)}
    theirs = {s for s, _k, _t in found(people["reviewer_b"], query)}
    assert mine <= {reports["one"].submission_id}
    assert theirs <= {reports["two"].submission_id}
    assert mine | theirs == {s for s, _k, _t in found(people["committee"], query)}


def test_short_queries_fall_back_to_like(reports, people):
    assert (reports["two"].submission_id, "transcript", 8.0) in found(people["committee"], "老人")
    assert found(people["committee"], "x%") == []  # LIKE wildcards are taken literally


def test_drafts_are_not_searched(make_version, people):
    make_version("activist", REPORT, ONE, submitted=False)
    assert found(people["committee"], "实验室") == []


def test_activists_cannot_search_and_queries_are_checked(reports, people):
    with pytest.raises(PermissionDeniedError):
        search.search(people["activist"].id, "社区")
    with pytest.raises(ValidationError):
        search.search(people["committee"].id, "   ")
    with pytest.raises(ValidationError):
        search.search(people["committee"].id, "长" * 101)


@pytest.mark.skipif(not search.fts_available(), reason="SQLite without FTS5 trigram")
def test_sqlite_index_follows_the_transcript(reports, people):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the FTS5 index is SQLite's")
    search.rebuild()
    segment = db.session.scalar(
        db.select(TranscriptSegment).where(TranscriptSegment.text.contains("实验室帮助"))
    )
    segment.text = "我在图书馆帮助低年级同学查找资料。"
    db.session.commit()
    assert found(people["committee"], "实验室帮助") == []  # stale entries never show
    assert found(people["committee"], "图书馆") == []  # not indexed yet
    search.reindex_video(segment.video_id)
    assert found(people["committee"], "图书馆") == [
        (reports["one"].submission_id, "transcript", 6.0)
    ]
    search.index_path().unlink()  # a lost index is rebuilt on the next search
    assert found(people["committee"], "图书馆")


def test_search_page(reports, client, auth):
    auth.login("r1")
    page = client.get("/search/?q=实验室帮助").get_data(as_text=True)
    assert "<mark>实验室帮助</mark>" in page
    assert f"/reviews/{reports['one'].submission_id}?t=6" in page
    other_branch = client.get("/search/?q=疫苗接种").get_data(as_text=True)
    assert "<mark>" not in other_branch and "没有找到包含“疫苗接种”的汇报" in other_branch
    assert "请输入" not in client.get("/search/").get_data(as_text=True)


def test_activist_gets_403_on_page_and_api(reports, client, auth, token_for):
    auth.login("a1")
    assert client.get("/search/?q=社区").status_code == 403
    auth.logout()
    resp = client.get("/api/v1/search?q=社区", headers=token_for("a1"))
    assert resp.status_code == 403
    assert resp.get_json()["error"]["message"] == "只有审阅人和党委可以搜索汇报内容。"


def test_api_search(reports, client, token_for):
    resp = client.get("/api/v1/search?q=给老人讲解", headers=token_for("r2"))
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["results"] == [
        {
            "submission": reports["two"].submission_id,
            "kind": "transcript",
            "start": 8.0,
            "snippet": {
                "before": "每周六上午",
                "match": "给老人讲解",
                "after": "怎样在手机上预约。",
            },
            "activist": "赵红",
            "period": "2026年第四季度",
            "url": f"/reviews/{reports['two'].submission_id}?t=8",
        }
    ]
    assert (
        client.get("/api/v1/search?q=给老人讲解", headers=token_for("r1")).get_json()["results"]
        == []
    )
    empty = client.get("/api/v1/search?q=", headers=token_for("c1"))
    assert (
        empty.status_code == 400 and empty.get_json()["error"]["message"] == "请输入要搜索的文字。"
    )
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "get" in spec["paths"]["/api/v1/search"]


def test_reindex_command(reports, runner):
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0
    expected = 7 if db.engine.dialect.name == "sqlite" and search.fts_available() else 0
    assert result.output.strip() == f"search index: {expected} entries"  # 2 papers + 3+2 segments


def test_query_is_escaped_on_the_page(reports, client, auth):
    auth.login("c1")
    page = client.get("/search/?q=<b>无此内容</b>").get_data(as_text=True)
    assert "<b>无此内容</b>" not in page and "&lt;b&gt;无此内容&lt;/b&gt;" in page
