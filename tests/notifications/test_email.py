"""Email through a real SMTP server (aiosmtpd on 127.0.0.1): headers, RFC 2047 subject, UTF-8
body, the absolute link; STARTTLS and implicit TLS with AUTH; refusal, outage, retries."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from email.policy import compat32

import pytest
from sqlalchemy import select

from review.clock import now
from review.extensions import db
from review.models import Notification
from review.services.notifications import notify, outbox
from tests.fixtures.pipeline import run_jobs
from tests.notifications.conftest import free_port, save_artifact

TITLE = "审阅结果已发布：2026年第四季度"
BODY = "李明同志：您的思想汇报审阅结果为“通过”。\n请在“我的汇报”中查看审阅意见。"


@pytest.fixture
def mail_user(app, people):
    """The activist a1 with an email address; PUBLIC_URL set."""
    app.config["PUBLIC_URL"] = "https://huibao.example.edu.cn"
    app.config["MAIL_FROM"] = "汇报系统 <huibao@example.edu.cn>"
    user = people["activist"]
    user.email = "liming@example.edu.cn"
    db.session.commit()
    return user


def _event(user, key: str = "release-1") -> int:
    notify(
        db.session,
        recipient_id=user.id,
        kind="result_released",
        key=key,
        title=TITLE,
        body=BODY,
        link="/my/periods/1",
    )
    db.session.commit()
    return db.session.scalar(
        select(Notification.id).where(Notification.channel == "email", Notification.key == key)
    )


def _row(row_id: int) -> Notification:
    db.session.expire_all()
    return db.session.get_one(Notification, row_id)


def test_email_received_with_encoded_subject_utf8_body_and_link(app, mail_user, smtp_server):
    url, box = smtp_server("plain")
    app.config["SMTP_URL"] = url
    row_id = _event(mail_user)
    assert outbox.deliver(row_id) == "sent"
    ((sender, rcpts, raw),) = box.messages
    assert sender == "huibao@example.edu.cn" and rcpts == ["liming@example.edu.cn"]
    save_artifact("received-email.eml", raw)
    wire = message_from_bytes(raw, policy=compat32)  # the headers as sent, 7-bit ASCII
    raw.decode("ascii")
    assert wire["Subject"].startswith("=?utf-8?")  # RFC 2047 encoded-words
    subject = str(make_header(decode_header(wire["Subject"])))
    assert subject == TITLE
    (message,) = box.parsed()
    assert message["To"] == "liming@example.edu.cn"
    assert message["From"].addresses[0].display_name == "汇报系统"
    assert message["Message-ID"] and message["Date"]
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert message["Content-Transfer-Encoding"] == "base64"
    assert message["Date"].endswith("+0800")  # Beijing time
    text = message.get_content()
    assert "李明同志：您的思想汇报审阅结果为“通过”。" in text
    assert "https://huibao.example.edu.cn/my/periods/1" in text
    row = _row(row_id)
    assert (row.state, row.attempts, row.last_error) == ("sent", 1, None) and row.sent_at


@pytest.mark.parametrize("mode", ["starttls", "smtps"])
def test_tls_and_login(app, mail_user, smtp_server, tls_files, mode):
    url, box = smtp_server(mode)
    app.config.update(SMTP_URL=url, SMTP_CA_FILE=str(tls_files[0]))
    row_id = _event(mail_user)
    assert outbox.deliver(row_id) == "sent", _row(row_id).last_error
    assert len(box.messages) == 1 and box.logins == [("huibao", "s3cret:pw")]


def test_starttls_refused_without_trusting_the_certificate(app, mail_user, smtp_server):
    url, box = smtp_server("starttls")
    app.config["SMTP_URL"] = url  # the self-signed certificate is not trusted
    row_id = _event(mail_user)
    assert outbox.deliver(row_id) == "retry"
    assert box.messages == [] and "CERTIFICATE_VERIFY_FAILED" in _row(row_id).last_error


def test_server_down_then_up_retries_with_back_off(app, mail_user, smtp_server):
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}?tls=none"  # nothing listens
    app.config["NOTIFY_RETRY_INTERVALS"] = [60, 300]
    row_id = _event(mail_user)
    start = now()
    assert outbox.deliver(row_id, start) == "retry"
    row = _row(row_id)
    assert row.state == "pending" and row.attempts == 1 and "Connection refused" in row.last_error
    assert row.next_attempt_at == start + timedelta(seconds=60)
    assert outbox.deliver(row_id, start + timedelta(seconds=30)) == "skipped"  # not yet due
    assert outbox.sweep(start + timedelta(seconds=61)) == {"retry": 1}
    row = _row(row_id)
    assert row.attempts == 2 and row.next_attempt_at == start + timedelta(seconds=361)
    url, box = smtp_server("plain")
    app.config["SMTP_URL"] = url
    assert outbox.sweep(start + timedelta(seconds=400)) == {"sent": 1}
    assert len(box.messages) == 1 and _row(row_id).state == "sent"
    assert outbox.sweep(start + timedelta(days=1)) == {}


def test_refused_recipient_fails_after_the_retries(app, mail_user, smtp_server):
    url, box = smtp_server("plain")
    box.refuse = "550 5.1.1 <liming@example.edu.cn>: mailbox unavailable"
    app.config.update(SMTP_URL=url, NOTIFY_RETRY_INTERVALS=[1])
    row_id = _event(mail_user)
    at = now()
    assert outbox.deliver(row_id, at) == "retry"
    assert outbox.deliver(row_id, at + timedelta(seconds=2)) == "failed"
    row = _row(row_id)
    assert row.state == "failed" and row.attempts == 2
    assert "550" in row.last_error and "mailbox unavailable" in row.last_error
    assert box.messages == []
    assert [r.id for r in outbox.failed_rows()] == [row_id]


def test_delivering_twice_sends_once(app, mail_user, smtp_server):
    url, box = smtp_server("plain")
    app.config["SMTP_URL"] = url
    row_id = _event(mail_user)  # the commit enqueued one job
    queue = app.extensions["rq"]["default"]
    queue.enqueue(outbox.JOB, row_id)  # and two more: a duplicate and a sweep racing it
    queue.enqueue(outbox.JOB, row_id)
    assert outbox.claim(row_id, now()) is True  # a second deliverer holds the lease meanwhile
    assert outbox.claim(row_id, now()) is False
    run_jobs(app)
    assert box.messages == []  # nobody sent it while the other one held it
    later = now() + timedelta(seconds=app.config["NOTIFY_LEASE_SECONDS"] + 1)
    assert outbox.deliver(row_id, later) == "sent"  # the lease ran out: the row is taken over
    for _ in range(2):
        queue.enqueue(outbox.JOB, row_id)
    run_jobs(app)
    assert outbox.deliver(row_id) == "skipped"
    assert len(box.messages) == 1


def test_job_enqueued_at_commit_delivers(app, mail_user, smtp_server):
    url, box = smtp_server("plain")
    app.config["SMTP_URL"] = url
    row_id = _event(mail_user)
    run_jobs(app)
    assert len(box.messages) == 1 and _row(row_id).state == "sent"


def test_failing_channel_leaves_the_product_alone(app, mail_user, client, people):
    """SMTP down and Redis gone at commit: the event commits, pages work, the sweep retries."""
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}?tls=none"
    queues = app.extensions["rq"]
    from redis import Redis
    from rq import Queue

    dead = Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=0.2)
    app.extensions["rq"] = {**queues, "default": Queue("default", connection=dead)}
    try:
        row_id = _event(mail_user)  # the commit cannot enqueue: logged, not raised
    finally:
        app.extensions["rq"] = queues
        dead.close()
    assert _row(row_id).state == "pending"
    assert outbox.sweep() == {"retry": 1}
    assert (
        client.post("/login", data={"username": "a1", "password": "correct-horse-9"}).status_code
        == 302
    )
    assert client.get("/my/").status_code == 200
    assert client.get("/messages/").status_code == 200


def test_reconciler_sweep_delivers_what_is_due(app, mail_user, smtp_server):
    """The loop beside every worker sends pending rows whose time has come (no job needed)."""
    from workers.reconciler import run_once

    url, box = smtp_server("plain")
    app.config["SMTP_URL"] = url
    app.extensions["redis"].flushdb()  # the job enqueued at commit is lost with Redis
    row_id = _event(mail_user)
    app.extensions["redis"].flushdb()
    counts = run_once(app)
    assert counts is not None and counts["notifications_sent"] == 1
    assert len(box.messages) == 1 and _row(row_id).state == "sent"
    assert "notifications_sent" not in (run_once(app) or {})


@pytest.mark.committed_db
def test_four_deliverers_at_once_send_once(app, people, smtp_server):
    """Four workers race for one row on their own connections: one claims it, one mail goes."""
    import threading

    url, box = smtp_server("plain")
    app.config.update(SMTP_URL=url, PUBLIC_URL="https://huibao.example.edu.cn")
    people["activist"].email = "liming@example.edu.cn"
    db.session.commit()
    row_id = _event(people["activist"], key="race")
    db.session.remove()
    start, outcomes = threading.Barrier(4), []

    def deliverer() -> None:
        with app.app_context():
            start.wait()
            outcomes.append(outbox.deliver(row_id))
            db.session.remove()

    threads = [threading.Thread(target=deliverer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["sent", "skipped", "skipped", "skipped"]
    assert len(box.messages) == 1
    assert _row(row_id).attempts == 1
