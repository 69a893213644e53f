"""Email over SMTP with the standard library: STARTTLS, implicit TLS or a plain local relay."""

from __future__ import annotations

import functools
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _

from review.clock import now
from review.extensions import db
from review.models import Notification, User
from review.services.notifications.channels import DeliveryError


def absolute(link: str | None) -> str | None:
    """Return link made absolute with PUBLIC_URL (a full URL is kept as it is)."""
    if not link:
        return None
    return urljoin(current_app.config["PUBLIC_URL"].rstrip("/") + "/", link.lstrip("/"))


def build_message(to: str, subject: str, body: str, link: str | None = None) -> EmailMessage:
    """Compose a UTF-8 plain-text message; the Chinese subject is RFC 2047 encoded on output."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    message["Date"] = format_datetime(now().astimezone(zone))
    message["Message-ID"] = make_msgid(domain="huibao")
    text = body.rstrip()
    url = absolute(link)
    if url:
        text += "\n\n" + _("查看详情：%(url)s", url=url)
    text += "\n\n—\n" + _("本邮件由汇报系统自动发送，请勿直接回复。")
    # base64: any server takes it, also one without 8BITMIME
    message.set_content(text + "\n", charset="utf-8", cte="base64")
    return message


LOCAL_HOSTNAME = "huibao"  # our EHLO name; smtplib would otherwise ask DNS for the host's FQDN


@functools.lru_cache(maxsize=4)
def tls_context(cafile: str | None) -> ssl.SSLContext:
    """Return a verifying TLS context, made once: loading the system CAs takes ~0.3 s."""
    return ssl.create_default_context(cafile=cafile)


def send_message(message: EmailMessage) -> None:
    """Send message through SMTP_URL; raise DeliveryError on any SMTP or network failure."""
    cfg = current_app.config
    url = cfg.get("SMTP_URL")
    if not url:
        raise DeliveryError("SMTP_URL is not set: no mail server configured")
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise DeliveryError(f"SMTP_URL must start with smtp:// or smtps://, not {parts.scheme}://")
    host = parts.hostname or "localhost"
    port = parts.port or (465 if parts.scheme == "smtps" else 587)
    tls = dict(parse_qsl(parts.query)).get("tls", "")
    # smtp:// speaks STARTTLS, except to a plain local relay on port 25 (or ?tls=none).
    starttls = parts.scheme == "smtp" and (tls == "starttls" or (port != 25 and tls != "none"))
    timeout, cafile = cfg["SMTP_TIMEOUT"], cfg.get("SMTP_CA_FILE") or None
    try:
        if parts.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, LOCAL_HOSTNAME, timeout=timeout, context=tls_context(cafile)
            )
        else:
            client = smtplib.SMTP(host, port, LOCAL_HOSTNAME, timeout=timeout)
        with client:
            client.ehlo()
            if starttls:
                client.starttls(context=tls_context(cafile))
                client.ehlo()
            if parts.username:
                client.login(unquote(parts.username), unquote(parts.password or ""))
            refused = client.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"SMTP {host}:{port}: {type(exc).__name__}: {exc}") from exc
    if refused:
        raise DeliveryError(f"SMTP refused recipients: {refused}")


def send_row(row: Notification) -> None:
    """Send an email outbox row to its recipient's address."""
    user = db.session.get(User, row.recipient_id) if row.recipient_id else None
    if user is None or not user.email:
        raise DeliveryError("the recipient has no email address")
    send_message(build_message(user.email, row.title, row.body, row.link))
