"""Debian's nginx with the shipped config (deploy/nginx/huibao.conf) in front of a real gunicorn."""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.fixtures.tools import require

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(
                f"{proc.args[0]} exited:\n{log.read_text(errors='replace')[-4000:]}"
            )
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer:\n{log.read_text(errors='replace')[-4000:]}")


def render_nginx(prefix: Path, listen: int, upstream: int, media_root: Path) -> Path:
    """Write nginx.conf around the shipped server block; all of nginx's own paths are in prefix."""
    block = (ROOT / "deploy" / "nginx" / "huibao.conf").read_text()
    for name, value in {
        "@LISTEN@": f"127.0.0.1:{listen}",
        "@SERVER_NAME@": "localhost",
        "@UPSTREAM@": f"127.0.0.1:{upstream}",
        "@ROOT@": str(ROOT),
        "@MEDIA_ROOT@": str(Path(media_root).resolve()),
    }.items():
        block = block.replace(name, value)
    assert "@" not in "".join(line.split("#")[0] for line in block.splitlines())
    (prefix / "huibao.conf").write_text(block)
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""  # workers run as we do
    conf = prefix / "nginx.conf"
    conf.write_text(
        f"""{user}
daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log info;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/huibao.conf;
}}
"""
    )
    return conf


@pytest.fixture
def stack(app, people, tmp_path):
    """Start gunicorn (SENDFILE_MODE=x-accel) and nginx; yield nginx's base URL."""
    require(f"nginx ({NGINX})", Path(NGINX).exists())
    web_port, nginx_port = free_port(), free_port()
    cfg = app.config
    env = dict(
        os.environ,
        DATABASE_URL=cfg["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=cfg["REDIS_URL"],
        MEDIA_ROOT=str(cfg["MEDIA_ROOT"]),
        HUIBAO_INSTANCE=str(cfg["INSTANCE_DIR"]),
        SECRET_KEY="nginx-test-secret",
        SENDFILE_MODE="x-accel",
        PROXY_COUNT="1",
        GUNICORN_BIND=f"127.0.0.1:{web_port}",
        WEB_CONCURRENCY="1",
        PYTHONPATH=str(ROOT),
    )
    logs = tmp_path / "logs"
    logs.mkdir()
    web_log = logs / "gunicorn.log"
    with open(web_log, "wb") as out:
        web = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "wsgi:app",
            ],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    conf = render_nginx(prefix, nginx_port, web_port, cfg["MEDIA_ROOT"])
    check = subprocess.run(
        [NGINX, "-t", "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    nginx_log = logs / "nginx.log"
    with open(nginx_log, "wb") as out:
        front = subprocess.Popen(
            [NGINX, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "error.log")],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(f"http://127.0.0.1:{web_port}/login", web, web_log)
        wait_for(f"http://127.0.0.1:{nginx_port}/login", front, prefix / "error.log")
        yield f"http://127.0.0.1:{nginx_port}"
    finally:
        for proc in (front, web):
            proc.terminate()
        for proc in (front, web):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait()
