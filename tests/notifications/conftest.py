"""Real servers for delivery tests: an SMTP server (aiosmtpd) and a robot webhook (http.server)."""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "notifications"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Mailbox:
    """What the SMTP server received, and how it should answer."""

    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    refuse: str | None = None  # e.g. "550 5.1.1 mailbox unavailable"
    logins: list[tuple[str, str]] = field(default_factory=list)

    def parsed(self) -> list[EmailMessage]:
        return [message_from_bytes(raw, policy=policy.default) for _f, _t, raw in self.messages]  # type: ignore[misc]


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.box.refuse:
            return self.box.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.box.messages.append(
            (envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
        )
        return "250 Message accepted for delivery"


class _Auth:
    def __init__(self, box: Mailbox, user: str, password: str) -> None:
        self.box, self.user, self.password = box, user, password

    def __call__(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(),
            auth_data.password.decode(),
        ) == (self.user, self.password)
        if ok:
            self.box.logins.append((self.user, self.password))
        return AuthResult(success=ok)


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the client trusts it through SMTP_CA_FILE)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def smtp_server(tls_files):
    """Start aiosmtpd on a free port of 127.0.0.1; yield a function making (url, mailbox).

    mode: "plain" (smtp://…?tls=none), "starttls" (smtp://user:pass@…, STARTTLS then AUTH)
    or "smtps" (TLS from the first byte, then AUTH).
    """
    from aiosmtpd.controller import Controller

    started = []

    def start(mode: str = "plain") -> tuple[str, Mailbox]:
        box, port = Mailbox(), free_port()
        kwargs: dict = {}
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*tls_files)
        if mode in ("starttls", "smtps"):
            # aiosmtpd sees only its own STARTTLS as TLS; an smtps socket is TLS from the start
            kwargs.update(
                authenticator=_Auth(box, "huibao", "s3cret:pw"), auth_require_tls=mode == "starttls"
            )
        if mode == "starttls":
            kwargs.update(tls_context=context, require_starttls=True)
        if mode == "smtps":
            kwargs.update(ssl_context=context)
        controller = Controller(_Handler(box), hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        started.append(controller)
        url = {
            "plain": f"smtp://127.0.0.1:{port}?tls=none",
            "starttls": f"smtp://huibao:s3cret%3Apw@127.0.0.1:{port}",
            "smtps": f"smtps://huibao:s3cret%3Apw@127.0.0.1:{port}",
        }[mode]
        return url, box

    yield start
    for controller in started:
        controller.stop()


@dataclass
class Hook:
    """What the robot webhook received, and what it answers."""

    url: str
    posts: list[dict] = field(default_factory=list)
    status: int = 200
    answer: dict = field(default_factory=lambda: {"errcode": 0, "errmsg": "ok"})


@pytest.fixture
def bot_server():
    """Serve a webhook on 127.0.0.1 that records each POST (path, query, headers, JSON)."""
    hook = Hook(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            parts = urlsplit(self.path)
            hook.posts.append(
                {
                    "path": parts.path,
                    "query": {k: v[0] for k, v in parse_qs(parts.query).items()},
                    "content_type": self.headers.get("Content-Type"),
                    "raw": raw,
                    "json": json.loads(raw),
                }
            )
            body = json.dumps(hook.answer).encode()
            self.send_response(hook.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hook.url = f"http://127.0.0.1:{server.server_port}"
    yield hook
    server.shutdown()
    server.server_close()
    thread.join(5)


def save_artifact(name: str, data: bytes) -> Path:
    """Keep a received message under test-artifacts/notifications/ (gitignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    path.write_bytes(data)
    return path
