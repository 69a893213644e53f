"""A test email straight through SMTP_URL, to check the mail settings (flask notify test)."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from review.exceptions import ValidationError
from review.services.notifications.channels.email import build_message, send_message
from review.services.notifications.prefs import normalise_email


def send_test_email(address: str) -> str:
    """Send a short Chinese test message to address; return the address used.

    Raises:
        ValidationError: a bad address, or no SMTP_URL configured.
        DeliveryError: the server refused or could not be reached.
    """
    to = normalise_email(address)
    if to is None:
        raise ValidationError(_l("请填写邮箱地址。"))
    if not current_app.config.get("SMTP_URL"):
        raise ValidationError(_l("未配置邮件服务器：请设置环境变量 SMTP_URL。"))
    send_message(
        build_message(
            to,
            _("汇报系统测试邮件"),
            _("这是一封测试邮件：汇报系统的邮件通知已配置成功。"),
            "/messages/",
        )
    )
    return to
