"""Party-term fixes on the review side: undo, a human edit, a re-run of the transcription."""

from __future__ import annotations

from media.asr import Segment
from media.terms import correct_text
from review.extensions import db
from review.models import AuditEvent, Submission, TranscriptSegment
from review.services import pipeline
from tests.reviews.conftest import login

HEARD = "拥护党的钢灵，遵守党的章程，对党忠深"


def _fixed_segment(submission_id: int) -> TranscriptSegment:
    segment = db.session.get(Submission, submission_id).current.video.segments[1]
    fixed = correct_text(HEARD)
    segment.text, segment.original_text = fixed.text, fixed.heard
    segment.term_fixes = [f.as_dict() for f in fixed.fixes]
    db.session.commit()
    return segment


def test_undo_puts_back_the_heard_words_once(client, people, make_submission):
    sid = make_submission()
    segment = _fixed_segment(sid)
    login(client, "r1")

    def url(n: int) -> str:
        return f"/reviews/{sid}/segments/{segment.id}/terms/{n}/undo"

    resp = client.post(url(1), json={})
    assert resp.status_code == 200, resp.get_json()
    data = resp.get_json()
    assert data["text"] == "拥护党的纲领，遵守党的章程，对党忠深" and data["corrected"] is True
    assert data["pieces"][1] == {"text": "纲领", "heard": "钢灵", "index": 0}
    again = client.post(url(1), json={})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "stale"
    assert client.post(url(7), json={}).status_code == 409
    resp = client.post(url(0), json={})
    assert resp.get_json()["text"] == HEARD  # both undone: the recognised text
    actions = db.session.query(AuditEvent.action).filter_by(object_type="segment").all()
    assert [a for (a,) in actions] == ["transcript.undo_term", "transcript.undo_term"]
    login(client, "r2")  # 二支部's reviewer does not read this submission
    assert client.post(url(0), json={}).status_code == 404


def test_human_edit_replaces_the_fixes(client, people, make_submission):
    sid = make_submission()
    segment = _fixed_segment(sid)
    login(client, "r1")
    resp = client.post(f"/reviews/{sid}/segments/{segment.id}", json={"text": segment.text})
    assert resp.status_code == 200 and resp.get_json()["corrected"] is False  # confirmed as is
    resp = client.post(f"/reviews/{sid}/segments/{segment.id}", json={"text": "拥护党的纲领"})
    assert resp.get_json()["corrected"] is True
    db.session.expire_all()
    stored = db.session.get(TranscriptSegment, segment.id)
    assert stored.term_fixes == [] and stored.original_text == HEARD


def test_rerun_keeps_an_undone_fix_undone(app, client, people, make_submission):
    sid = make_submission()
    segment = _fixed_segment(sid)
    login(client, "r1")
    client.post(f"/reviews/{sid}/segments/{segment.id}/terms/0/undo", json={})
    video = db.session.get(Submission, sid).current.video
    vtt = f"videos/{video.id}-transcript.vtt"
    pipeline.save_transcript(video, [Segment(0, 2, HEARD)], "faster-whisper:base", vtt)
    db.session.expire_all()
    stored = db.session.get(TranscriptSegment, segment.id)
    assert stored.text == "拥护党的钢灵，遵守党的章程，对党忠诚"  # the reviewer's choice stays
    assert len(db.session.get(Submission, sid).current.video.segments) == 3
