"""Branch group-chat robots by webhook: 企业微信 群机器人, 钉钉 自定义机器人, 飞书 自定义机器人.

Each gets the JSON its documentation describes, POSTed with a short timeout; a non-2xx
answer, or an error code other than 0 in its JSON, is a failed delivery.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from urllib.parse import quote_plus, urlsplit

from flask import current_app

from review.extensions import db
from review.models import Branch, Notification
from review.services.notifications.channels import DeliveryError
from review.services.notifications.channels.email import absolute

WECOM, DINGTALK, FEISHU = "wecom", "dingtalk", "feishu"
BOT_TYPES = (WECOM, DINGTALK, FEISHU)
HOSTS = {
    "qyapi.weixin.qq.com": WECOM,
    "oapi.dingtalk.com": DINGTALK,
    "open.feishu.cn": FEISHU,
    "open.larksuite.com": FEISHU,
}


def detect(url: str, explicit: str = "") -> str | None:
    """Return the robot's kind: the explicit choice, else by the URL's host (None: unknown)."""
    if explicit in BOT_TYPES:
        return explicit
    return HOSTS.get((urlsplit(url).hostname or "").lower())


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """Return 钉钉's `sign`: base64(HMAC-SHA256(secret, "timestamp\\nsecret")), URL-encoded."""
    digest = hmac.new(
        secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return quote_plus(base64.b64encode(digest).decode())


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Return 飞书's `sign`: base64(HMAC-SHA256(key="timestamp\\nsecret", message=b""))."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def _text(title: str, body: str, link: str | None) -> str:
    url = absolute(link)
    return f"{title}\n{body}" + (f"\n{url}" if url else "")


def _markdown(title: str, body: str, link: str | None) -> str:
    url = absolute(link)
    return f"**{title}**\n\n{body}" + (f"\n\n[查看详情]({url})" if url else "")


def build_request(
    kind: str, url: str, secret: str | None, title: str, body: str, link: str | None
) -> tuple[str, dict]:
    """Return the URL to POST to and the JSON body for a robot of kind."""
    if kind == WECOM:
        return url, {"msgtype": "markdown", "markdown": {"content": _markdown(title, body, link)}}
    if kind == DINGTALK:
        if secret:
            stamp = int(time.time() * 1000)
            sep = "&" if "?" in url else "?"
            url = f"{url}{sep}timestamp={stamp}&sign={dingtalk_sign(secret, stamp)}"
        text = _markdown(title, body, link)
        return url, {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
    if kind == FEISHU:
        payload: dict = {"msg_type": "text", "content": {"text": _text(title, body, link)}}
        if secret:
            stamp = int(time.time())
            payload.update(timestamp=str(stamp), sign=feishu_sign(secret, stamp))
        return url, payload
    raise DeliveryError(f"unknown robot kind {kind!r}")


def post(url: str, payload: dict) -> None:
    """POST payload as JSON; raise DeliveryError on a network error, non-2xx or errcode ≠ 0."""
    data = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=current_app.config["BOT_TIMEOUT"]) as resp:
            answer = resp.read(65536)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"robot answered HTTP {exc.code}: {exc.read(500)!r}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryError(f"robot unreachable: {exc}") from exc
    try:
        result = json.loads(answer or b"{}")
    except ValueError:
        return  # 2xx without JSON: accepted
    if isinstance(result, dict):
        code = result.get("errcode", result.get("code", result.get("StatusCode", 0)))
        if code not in (0, "0", None):
            message = result.get("errmsg") or result.get("msg") or result.get("StatusMessage")
            raise DeliveryError(f"robot error {code}: {message}")


def send_to_branch(branch: Branch, title: str, body: str, link: str | None) -> None:
    """Send one message to the branch's robot."""
    if not branch.webhook_url:
        raise DeliveryError("the branch has no robot webhook")
    kind = detect(branch.webhook_url, branch.webhook_type or "")
    if kind is None:
        raise DeliveryError("cannot tell the robot's kind from its URL; choose it explicitly")
    url, payload = build_request(kind, branch.webhook_url, branch.webhook_secret, title, body, link)
    post(url, payload)


def send_row(row: Notification) -> None:
    """Send a bot outbox row to its branch's robot."""
    branch = db.session.get(Branch, row.branch_id) if row.branch_id else None
    if branch is None:
        raise DeliveryError("the branch no longer exists")
    send_to_branch(branch, row.title, row.body, row.link)
