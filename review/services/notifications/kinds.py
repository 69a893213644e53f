"""The registry of notification kinds: label, who gets them, default channels, rules."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from review.models import Channel

INAPP, EMAIL = Channel.INAPP.value, Channel.EMAIL.value
# The channels a user chooses between per kind (bots are the branch's, not a person's).
USER_CHANNELS = (INAPP, EMAIL)


@dataclass(frozen=True)
class Kind:
    """What one kind of notification is and how it is sent by default."""

    name: str
    label: object  # a lazy string: shown on the preferences page
    roles: tuple[str, ...]  # who receives it (the preferences page shows these kinds only)
    defaults: frozenset[str]
    forced: bool = False  # the user cannot turn it off (and it is not in the preferences)
    quiet: bool = True  # email/bot rows wait for the end of the quiet hours


ALL_ROLES = ("activist", "reviewer", "committee", "admin")
_KINDS = (
    Kind("period_opened", _l("汇报周期开始"), ("activist",), frozenset({INAPP})),
    Kind("deadline_reminder", _l("截止日期提醒"), ("activist",), frozenset({INAPP})),
    Kind("video_failed", _l("视频处理失败"), ("activist",), frozenset({INAPP, EMAIL})),
    Kind("result_released", _l("审阅结果发布"), ("activist",), frozenset({INAPP, EMAIL})),
    Kind("revision_requested", _l("需要修改"), ("activist",), frozenset({INAPP, EMAIL})),
    Kind("reviews_ready", _l("待审阅汇报（每日汇总）"), ("reviewer",), frozenset({INAPP})),
    Kind("review_due", _l("审阅即将到期"), ("reviewer",), frozenset({INAPP})),
    Kind("review_overdue", _l("审阅已超期"), ("reviewer",), frozenset({INAPP})),
    Kind("committee_digest", _l("党委每日汇总"), ("committee",), frozenset({INAPP})),
    Kind("password_changed", _l("密码已修改"), ALL_ROLES, frozenset({INAPP, EMAIL})),
    Kind(
        "password_reset",
        _l("找回密码"),
        ALL_ROLES,
        frozenset({EMAIL}),
        forced=True,
        quiet=False,
    ),
    Kind("test", _l("测试消息"), ALL_ROLES, frozenset({INAPP, EMAIL}), forced=True, quiet=False),
)
KINDS: dict[str, Kind] = {k.name: k for k in _KINDS}


def get_kind(name: str) -> Kind:
    """Return the registered kind called name (KeyError names an unknown kind)."""
    try:
        return KINDS[name]
    except KeyError:
        raise KeyError(f"unknown notification kind {name!r}; register it in {__name__}") from None


def kinds_for_role(role: str) -> list[Kind]:
    """Return the kinds a user of role chooses channels for (forced kinds are not shown)."""
    return [k for k in _KINDS if role in k.roles and not k.forced]
