"""Revision after 需修改: version 2 is a copy of version 1, the redo scope is enforced, the
versions compare (services; the browser flow is tests/activist/test_browser_revision.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from review import storage
from review.access import comparable_versions, readable_version
from review.exceptions import ConflictError, ValidationError
from review.extensions import db
from review.models import Analysis, Submission, SubmissionVersion
from review.services import decisions, papers, revisions
from review.services.analyses import store
from review.services.submissions import (
    attach_video,
    start_revision,
    submit_version,
)
from tests.activist.samples import REPORT_ZH, SECOND_ZH, chinese_pdf


def _ids(people) -> tuple[int, int]:
    return people["activist"].id, people["period"].id


def _first_version(people, make_video, *, pdf: bool = False) -> SubmissionVersion:
    make_video("ready")
    activist_id, period_id = _ids(people)
    papers.save_text(activist_id, period_id, "第一版正文：我志愿加入中国共产党。")
    if pdf:
        papers.save_document(activist_id, period_id, papers.Upload("汇报.pdf", chinese_pdf()))
    version = submit_version(activist_id, period_id)
    store(version.id, "oath", {"status": "complete", "phrases": []})
    store(version.id, "speech", {"flags": []})
    store(version.id, "similar", [])
    db.session.commit()
    return version


@pytest.fixture
def revised(people, make_video, release):
    """Return a function: version 1 submitted and sent back with a redo scope, version 2 begun."""

    def make(redo: str = "paper", *, pdf: bool = False) -> tuple:
        v1 = _first_version(people, make_video, pdf=pdf)
        release(v1.id, "revise", redo=redo)
        v2 = start_revision(*_ids(people))
        return v1, v2

    return make


def test_version_two_is_a_copy_of_version_one(people, revised):
    v1, v2 = revised("paper", pdf=True)
    assert v2.number == 2 and not v2.frozen
    assert v2.video_id == v1.video_id  # the processed video, transcript and all: not re-uploaded
    assert v2.video.state == "ready" and v2.video.segments
    assert (v2.paper_kind, v2.paper_text) == ("pdf", v1.paper_text) and REPORT_ZH in v2.paper_text
    assert v2.typed_text == "第一版正文：我志愿加入中国共产党。"  # the typed part stays too
    (old,), (new,) = v1.paper_files, v2.paper_files
    assert new.path != old.path and str(v2.id) in new.path  # the draft's own copy
    assert storage.paper_path(new).read_bytes() == storage.paper_path(old).read_bytes()
    assert (new.original_name, new.size_bytes) == (old.original_name, old.size_bytes)
    kinds = set(db.session.scalars(select(Analysis.kind).where(Analysis.version_id == v2.id)))
    assert kinds == {"oath", "speech"}  # "similar" is computed again on submission


def test_replacing_the_copy_leaves_version_one_intact(people, revised):
    v1, v2 = revised("paper", pdf=True)
    old_path = storage.paper_path(v1.paper_files[0])
    papers.save_text(*_ids(people), "第二版正文")
    db.session.expire_all()
    assert old_path.exists() and len(v1.paper_files) == 1
    assert v1.paper_kind == "pdf" and REPORT_ZH in v1.paper_text
    assert v1.video.state == "ready"


def test_new_video_in_version_two_keeps_version_one_video(people, revised, make_video):
    v1, v2 = revised("video")
    first_video = v1.video_id
    make_video("ready", sha256="2" * 64)  # attaches itself to the draft
    db.session.expire_all()
    assert v2.video_id != first_video and v1.video_id == first_video
    assert v1.video.state == "ready"  # a submitted version's video is never superseded


def test_draft_version_two_stays_private(people, revised):
    v1, v2 = revised("paper")
    submission = db.session.get(Submission, v1.submission_id)
    for who in ("reviewer", "committee"):
        assert readable_version(people[who], submission) is v1  # not the copy in progress
        assert comparable_versions(people[who], submission) == [v1]
    assert comparable_versions(people["activist"], submission) == [v1]  # drafts are not compared
    assert comparable_versions(people["reviewer_b"], submission) == []  # another branch


def test_start_revision_twice_makes_one_version(people, revised):
    v1, v2 = revised("paper")
    again = start_revision(*_ids(people))
    assert again.id == v2.id
    numbers = db.session.scalars(
        select(SubmissionVersion.number).where(SubmissionVersion.submission_id == v1.submission_id)
    ).all()
    assert sorted(numbers) == [1, 2]


def test_start_revision_refused_without_needs_revision(people, make_video):
    _first_version(people, make_video)
    with pytest.raises(ConflictError):
        start_revision(*_ids(people))


def test_redo_video_refuses_the_unchanged_video(people, revised, make_video):
    v1, v2 = revised("video")
    papers.save_text(*_ids(people), "第二版正文")  # the paper may change or not
    with pytest.raises(ValidationError) as refused:
        submit_version(*_ids(people))
    assert refused.value.code == "redo_video" and "重新录制视频" in str(refused.value.message)
    assert db.session.get(SubmissionVersion, v2.id).submitted_at is None
    make_video("ready", sha256="3" * 64)
    assert submit_version(*_ids(people)).number == 2


def test_redo_video_refuses_the_same_file_uploaded_again(people, revised, make_video):
    v1, v2 = revised("video")
    make_video("ready", sha256=v1.video.sha256)  # the very same recording, uploaded again
    with pytest.raises(ValidationError) as refused:
        submit_version(*_ids(people))
    assert refused.value.code == "redo_video"


def test_redo_paper_refuses_the_unchanged_paper(people, revised):
    v1, v2 = revised("paper", pdf=True)
    with pytest.raises(ValidationError) as refused:
        submit_version(*_ids(people))
    assert refused.value.code == "redo_paper" and "修改书面汇报" in str(refused.value.message)
    papers.save_document(*_ids(people), papers.Upload("again.pdf", chinese_pdf()))  # same text
    with pytest.raises(ValidationError):
        submit_version(*_ids(people))
    papers.save_document(*_ids(people), papers.Upload("新.pdf", chinese_pdf(SECOND_ZH)))
    assert submit_version(*_ids(people)).number == 2  # the same video is fine here


def test_redo_both_needs_both(people, revised, make_video):
    v1, v2 = revised("both")
    make_video("ready", sha256="4" * 64)
    with pytest.raises(ValidationError) as refused:
        submit_version(*_ids(people))
    assert refused.value.code == "redo_paper"
    papers.save_text(*_ids(people), "第二版：按意见补充了学习体会。")
    assert submit_version(*_ids(people)).number == 2


def test_redo_status_tells_what_is_pending(people, revised, make_video):
    v1, v2 = revised("both")
    status = revisions.redo_status(v2)
    assert status.earlier.id == v1.id and status.scope == "both" and status.same_video
    assert status.video_pending and status.paper_pending
    make_video("ready", sha256="5" * 64)
    status = revisions.redo_status(db.session.get(SubmissionVersion, v2.id))
    assert not status.video_pending and status.paper_pending and not status.same_video


def test_decision_says_what_to_redo(people, make_video):
    v1 = _first_version(people, make_video)
    committee = people["committee"].id
    with pytest.raises(ValidationError) as refused:
        decisions.set_decision(v1.submission_id, committee, {}, "revise", "请重录")
    assert refused.value.code == "redo_missing"
    with pytest.raises(ValidationError):
        decisions.set_decision(v1.submission_id, committee, {}, "revise", "", redo="audio")
    decision = decisions.set_decision(v1.submission_id, committee, {}, "revise", "", redo="video")
    assert decision.redo == "video"
    assert decisions.history(v1.submission_id)[0].after["redo"] == "video"
    decision = decisions.set_decision(v1.submission_id, committee, {}, "pass", "", redo="video")
    assert decision.redo is None  # only a 需修改 asks for a redo
    assert revisions.redo_label("both") == "需要重新录制视频，并修改书面汇报"


def test_diff_marks_changes_and_escapes():
    html = str(
        revisions.diff_html("我学习了党章。\n<b>旧</b>段落\n", "我认真学习了党章。\n新段落\n")
    )
    assert "我<ins>认真</ins>学习了党章。" in html
    assert "<b>" not in html and "&lt;b&gt;" in html and "<del>" in html
    assert str(revisions.diff_html("", "全新")) == "<ins>全新</ins>"


def test_compare_tells_same_and_new_video(people, revised, make_video):
    v1, v2 = revised("paper")
    papers.save_text(*_ids(people), "第一版正文：我志愿加入中国共产党，永不叛党。")
    v2 = submit_version(*_ids(people))
    result = revisions.compare(v1, v2)
    assert result.same_video and result.paper_changed and result.redo == "paper"
    assert "<ins>，永不叛党</ins>" in str(result.diff)


def test_compare_sees_a_new_video(people, revised, make_video):
    v1, v2 = revised("video")
    make_video("ready", sha256="6" * 64)
    v2 = submit_version(*_ids(people))
    result = revisions.compare(v1, v2)
    assert not result.same_video and not result.paper_changed


def test_the_same_photos_again_are_the_same_paper(people, make_video, release):
    from tests.activist.samples import phone_jpeg

    make_video("ready")
    photos = [papers.Upload(f"p{i}.jpg", phone_jpeg(60 + 10 * i)) for i in range(2)]
    papers.save_photos(*_ids(people), photos)
    v1 = submit_version(*_ids(people))
    release(v1.id, "revise", redo="paper")
    v2 = start_revision(*_ids(people))
    assert revisions.redo_status(v2).paper_pending  # the copy: same names, nothing read
    again = papers.save_photos(*_ids(people), photos)  # the same photo files chosen again
    assert [f.path for f in again.paper_files] != [f.path for f in v1.paper_files]
    assert revisions.redo_status(again).paper_pending  # same bytes, other names
    changed = papers.save_photos(*_ids(people), [papers.Upload("new.jpg", phone_jpeg(90))])
    assert not revisions.redo_status(changed).paper_pending


def test_attach_video_to_version_two(people, revised, make_video):
    v1, v2 = revised("video")
    video = make_video("ready", sha256="7" * 64)
    attach_video(*_ids(people), v1.video_id)  # back to the old one: still kept, still refused
    assert db.session.get(type(video), video.id).state == "superseded"
    with pytest.raises(ValidationError):
        submit_version(*_ids(people))


def test_a_revision_begun_by_an_upload_is_a_copy_too(people, make_video, release):
    v1 = _first_version(people, make_video, pdf=True)
    release(v1.id, "revise", redo="video")
    make_video("ready", sha256="8" * 64)  # through tus, without pressing 开始修改
    db.session.expire_all()
    submission = db.session.get(Submission, v1.submission_id)
    v2 = submission.versions[-1]
    assert v2.number == 2 and v2.video_id != v1.video_id and v1.video.state == "ready"
    assert v2.paper_kind == "pdf" and len(v2.paper_files) == 1 and v2.paper_text == v1.paper_text
    assert submit_version(*_ids(people)).number == 2  # new video, paper kept as allowed
