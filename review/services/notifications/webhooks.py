"""A branch's group-chat robot: set its webhook (audited) and send it a test message."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from review.exceptions import NotFoundError, ValidationError
from review.extensions import db
from review.models import Branch
from review.services import audit
from review.services.notifications.channels import DeliveryError
from review.services.notifications.channels.bots import BOT_TYPES, detect, send_to_branch

LABELS = {
    "wecom": _l("企业微信群机器人"),
    "dingtalk": _l("钉钉自定义机器人"),
    "feishu": _l("飞书自定义机器人"),
}


def _branch(branch_id: int) -> Branch:
    branch = db.session.get(Branch, branch_id)
    if branch is None:
        raise NotFoundError(_l("找不到该支部。"))
    return branch


def set_webhook(
    branch_id: int, url: str, kind: str, secret: str | None, actor_id: int, *, keep_secret: bool
) -> Branch:
    """Set (or with an empty url, remove) the branch's robot; kind "" detects it from the host.

    keep_secret: an empty secret field keeps the stored one (the page never shows it).
    """
    branch = _branch(branch_id)
    url, kind, secret = url.strip(), kind.strip(), (secret or "").strip() or None
    if not url:
        branch.webhook_url, branch.webhook_type, branch.webhook_secret = None, "", None
    else:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 500:
            raise ValidationError(_l("机器人地址须以 https:// 开头，请从群设置中完整复制。"))
        if kind and kind not in BOT_TYPES:
            raise ValidationError(_l("未知的机器人类型。"))
        if detect(url, kind) is None:
            raise ValidationError(
                _l("无法从地址识别机器人类型（企业微信、钉钉或飞书），请在“类型”中选择。")
            )
        branch.webhook_url, branch.webhook_type = url, kind
        if secret or not keep_secret:
            branch.webhook_secret = secret
    audit.record(
        actor_id,
        "branch_webhook",
        "branch",
        branch.id,
        {"host": urlsplit(url).hostname if url else None, "type": kind, "signed": bool(secret)},
        commit=False,
    )
    db.session.commit()
    return branch


def send_test(branch_id: int) -> None:
    """Post a test message to the branch's robot now.

    Raises:
        ValidationError: no robot configured, or the robot refused (its answer in the message).
    """
    branch = _branch(branch_id)
    if not branch.webhook_url:
        raise ValidationError(_l("该支部还没有设置群机器人。"))
    try:
        send_to_branch(
            branch,
            _("汇报系统测试消息"),
            _("%(branch)s 的群机器人已配置成功，今后的提醒会发到本群。", branch=branch.name),
            "/",
        )
    except DeliveryError as exc:
        raise ValidationError(_l("发送失败：%(why)s", why=str(exc))) from exc
