"""Email addresses on accounts (CLI, admin page; the roster's 邮箱 column is tested with the
roster), `flask notify test`, and the admin's failed notifications with their audited retry."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from review.clock import now
from review.extensions import db
from review.models import AuditEvent, Notification, User
from review.services.notifications import notify, outbox
from tests.fixtures.app import PASSWORD
from tests.notifications.conftest import free_port


def _user(username: str) -> User:
    db.session.expire_all()
    return db.session.scalars(select(User).where(User.username == username)).one()


def test_cli_user_create_with_email(runner, people):
    args = ["user", "create", "T9", "--name", "孙老师", "--role", "reviewer", "--branch", "一支部"]
    result = runner.invoke(args=[*args, "--password", PASSWORD, "--email", "sun@example.edu.cn"])
    assert result.exit_code == 0, result.output
    assert _user("T9").email == "sun@example.edu.cn"
    bad = runner.invoke(args=["user", "create", "T8", "--name", "周老师", "--role", "committee",
                              "--password", PASSWORD, "--email", "nope"])  # fmt: skip
    assert bad.exit_code != 0 and "格式不正确" in bad.output


def test_admin_sets_an_email(client, people):
    client.post("/login", data={"username": "admin", "password": PASSWORD})
    a1 = people["activist"].id
    assert (
        client.post(f"/admin/users/{a1}/email", data={"email": "li@example.cn"}).status_code == 302
    )
    assert _user("a1").email == "li@example.cn"
    assert 'value="li@example.cn"' in client.get("/admin/users").get_data(as_text=True)
    client.post(f"/admin/users/{a1}/email", data={"email": "bad@"})
    assert _user("a1").email == "li@example.cn"
    assert "格式不正确" in client.get("/admin/users").get_data(as_text=True)
    client.post(f"/admin/users/{a1}/email", data={"email": ""})
    assert _user("a1").email is None


def test_admin_creates_a_user_with_email(client, people):
    client.post("/login", data={"username": "admin", "password": PASSWORD})
    data = {"username": "c9", "name": "吴书记", "role": "committee", "email": "wu@example.cn"}
    assert client.post("/admin/users", data=data).status_code == 302
    assert _user("c9").email == "wu@example.cn"


def test_notify_test_command(app, runner, smtp_server):
    url, box = smtp_server("plain")
    app.config.update(SMTP_URL=url, MAIL_FROM="huibao@example.edu.cn")
    result = runner.invoke(args=["notify", "test", "admin@example.edu.cn"])
    assert result.exit_code == 0, result.output
    assert "已发送测试邮件到 admin@example.edu.cn" in result.output
    (message,) = box.parsed()
    assert message["Subject"] == "汇报系统测试邮件" and message["To"] == "admin@example.edu.cn"
    assert "配置成功" in message.get_content()


def test_notify_test_command_reports_failures(app, runner):
    app.config["SMTP_URL"] = None
    result = runner.invoke(args=["notify", "test", "admin@example.edu.cn"])
    assert result.exit_code != 0 and "SMTP_URL" in result.output
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}?tls=none"
    result = runner.invoke(args=["notify", "test", "admin@example.edu.cn"])
    assert result.exit_code != 0 and "发送失败" in result.output and "refused" in result.output


def test_admin_lists_failed_notifications_and_retries(app, client, people, smtp_server):
    app.config.update(
        SMTP_URL=f"smtp://127.0.0.1:{free_port()}?tls=none", NOTIFY_RETRY_INTERVALS=[]
    )
    user = people["activist"]
    user.email = "liming@example.edu.cn"
    notify(db.session, recipient_id=user.id, kind="video_failed", key="v1",
           title="视频处理失败", body="未检测到声音，请重新录制。", link="/my/")  # fmt: skip
    db.session.commit()
    row = db.session.scalar(select(Notification).where(Notification.channel == "email"))
    assert outbox.deliver(row.id) == "failed"
    client.post("/login", data={"username": "admin", "password": PASSWORD})
    page = client.get("/admin/queue").get_data(as_text=True)
    assert "发送失败的通知" in page and "视频处理失败" in page and "Connection refused" in page
    url, box = smtp_server("plain")
    app.config["SMTP_URL"] = url
    resp = client.post(f"/admin/notifications/{row.id}/retry")
    assert resp.status_code == 302
    db.session.expire_all()
    assert row.state == "pending" and row.attempts == 0
    (event,) = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "notification_retry")
    )
    assert event.actor_id == people["admin"].id and event.object_id == str(row.id)
    assert outbox.sweep(now() + timedelta(seconds=1)) == {"sent": 1}
    assert len(box.messages) == 1
    assert "没有发送失败的通知" in client.get("/admin/queue").get_data(as_text=True)
    again = client.post(f"/admin/notifications/{row.id}/retry")  # not failed any more
    assert again.status_code == 302
    assert "无需重试" in client.get("/admin/queue").get_data(as_text=True)
