"""The seam for WeChat Official Account (公众号) template messages: not implemented.

Sending a template message needs the account's AppID and AppSecret, an access token from
api.weixin.qq.com (refreshed every 2 hours), a template approved on the 公众号 platform, and
each user's OpenID (bound by OAuth when they open the site in WeChat); and the server must
reach the internet. None of that is available here, so this channel only documents its
contract (docs/notifications.md): a sender takes an outbox row and raises DeliveryError on
failure. No kind defaults to it, so no row is ever written for it until it is built.
"""

from __future__ import annotations

from review.models import Notification
from review.services.notifications.channels import DeliveryError


def send_row(row: Notification) -> None:
    """Refuse: the 公众号 channel needs credentials and the internet (see the module doc)."""
    raise DeliveryError(
        "the WeChat Official Account channel is not configured (docs/notifications.md)"
    )
