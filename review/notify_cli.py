"""`flask notify ...` commands: a test email, delivery of due rows, the reminder scan."""

from __future__ import annotations

import click
from flask.cli import AppGroup

notify_group = AppGroup("notify", help="Notifications: test mail, due delivery, reminders.")


@notify_group.command("test")
@click.argument("address")
def send_test(address: str) -> None:
    """Send a test email to ADDRESS through SMTP_URL now (not through the outbox)."""
    from review.exceptions import HuibaoError
    from review.services.notifications import testmail
    from review.services.notifications.channels import DeliveryError

    try:
        sent_to = testmail.send_test_email(address)
    except HuibaoError as exc:
        raise click.ClickException(str(exc.message)) from None
    except DeliveryError as exc:
        raise click.ClickException(f"发送失败：{exc}") from None
    click.echo(f"已发送测试邮件到 {sent_to}。")


@notify_group.command("deliver")
def deliver_due() -> None:
    """Deliver every outbox row whose time has come (what the reconciler does each minute)."""
    from review.services.notifications import outbox

    counts = outbox.sweep(budget_seconds=600)
    click.echo(" ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "没有待发送的通知。")


@notify_group.command("run-due")
def run_due() -> None:
    """Write every reminder and digest due now to the outbox (each one only once)."""
    from review.services import reminders

    result = reminders.run_due()
    details = "，".join(f"{kind} {n}" for kind, n in sorted(result.counts.items()) if n)
    click.echo(f"新写入 {result.written} 条通知。" + (f"（{details}）" if details else ""))
