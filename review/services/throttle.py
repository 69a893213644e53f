"""Login throttling in Redis: failed attempts per account (a growing delay) and per address.

Successful logins are never counted, so a classroom behind one campus NAT logs in freely;
an account is slowed down after LOGIN_ACCOUNT_FAILURES wrong passwords in a row (the delay
doubles with each further one, up to LOGIN_ACCOUNT_MAX_DELAY), and one address may make at
most LOGIN_ADDRESS_FAILURES failed attempts per LOGIN_ADDRESS_WINDOW seconds.
"""

from __future__ import annotations

import hashlib
import logging

from flask import current_app
from flask_babel import lazy_gettext as _l
from redis.exceptions import ConnectionError as RedisDown
from redis.exceptions import TimeoutError as RedisSlow

from review.exceptions import HuibaoError

log = logging.getLogger(__name__)

ACCOUNT_MEMORY = 24 * 3600  # a run of failures is forgotten a day after the last one


class LoginThrottledError(HuibaoError):
    """Too many failed logins: wait retry_after seconds (HTTP 429)."""

    code = "rate_limited"
    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _keys(username: str, address: str | None) -> tuple[str, str, str]:
    prefix = current_app.config["REDIS_PREFIX"] + "login:"
    account = hashlib.sha256(username.encode()).hexdigest()[:32]
    return (
        prefix + "fail:" + account,
        prefix + "wait:" + account,
        prefix + "addr:" + (address or "-"),
    )


def _wait_text(seconds: int) -> str:
    if seconds < 60:
        return str(_l("%(n)d 秒", n=seconds))
    return str(_l("%(n)d 分钟", n=-(-seconds // 60)))


def check(username: str, address: str | None) -> None:
    """Refuse the attempt while the account or the address has to wait.

    Raises:
        LoginThrottledError: with the wait in Chinese and retry_after in seconds.
    """
    _, wait_key, address_key = _keys(username, address)
    cfg = current_app.config
    try:
        redis = current_app.extensions["redis"]
        pipe = redis.pipeline()
        pipe.pttl(wait_key).get(address_key).ttl(address_key)
        wait_ms, address_failures, address_ttl = pipe.execute()
    except (RedisDown, RedisSlow):  # throttling must not lock everyone out when Redis is away
        log.warning("login throttle: Redis unavailable, not checked", exc_info=True)
        return
    if wait_ms and wait_ms > 0:
        seconds = max(1, -(-wait_ms // 1000))
        raise LoginThrottledError(
            _l(
                "该账号密码错误次数过多，为保护账号安全，请 %(wait)s后再试。",
                wait=_wait_text(seconds),
            ),
            seconds,
        )
    if address_failures and int(address_failures) >= cfg["LOGIN_ADDRESS_FAILURES"]:
        seconds = max(1, address_ttl if address_ttl and address_ttl > 0 else 1)
        raise LoginThrottledError(
            _l("此网络的登录失败次数过多，请 %(wait)s后再试。", wait=_wait_text(seconds)), seconds
        )


def record_failure(username: str, address: str | None) -> int:
    """Count a failed attempt; from the limit on, make the account wait. Return the delay (s)."""
    fail_key, wait_key, address_key = _keys(username, address)
    cfg = current_app.config
    try:
        redis = current_app.extensions["redis"]
        pipe = redis.pipeline()
        pipe.incr(fail_key).expire(fail_key, ACCOUNT_MEMORY)
        # The address window starts at its first failure (SET NX: Redis 6 has no EXPIRE NX).
        pipe.set(address_key, 0, ex=cfg["LOGIN_ADDRESS_WINDOW"], nx=True).incr(address_key)
        failures = pipe.execute()[0]
        free = cfg["LOGIN_ACCOUNT_FAILURES"]
        if failures < free:
            return 0
        delay = min(
            cfg["LOGIN_ACCOUNT_DELAY"] * 2 ** (failures - free), cfg["LOGIN_ACCOUNT_MAX_DELAY"]
        )
        redis.set(wait_key, failures, ex=int(delay))
        return int(delay)
    except (RedisDown, RedisSlow):
        log.warning("login throttle: Redis unavailable, failure not counted", exc_info=True)
        return 0


def record_success(username: str) -> None:
    """Forget the account's failed attempts (a success itself is never counted)."""
    fail_key, wait_key, _ = _keys(username, None)
    try:
        current_app.extensions["redis"].delete(fail_key, wait_key)
    except (RedisDown, RedisSlow):
        log.warning("login throttle: Redis unavailable", exc_info=True)


def allow(bucket: str, key: str, limit: int, window: int) -> bool:
    """Count one request of key in bucket; tell whether it stays within limit per window (s).

    The window starts at the first request; Redis being away lets the request through.
    """
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    name = f"{current_app.config['REDIS_PREFIX']}limit:{bucket}:{digest}"
    try:
        pipe = current_app.extensions["redis"].pipeline()
        pipe.set(name, 0, ex=window, nx=True).incr(name)
        count = pipe.execute()[1]
    except (RedisDown, RedisSlow):
        log.warning("throttle %s: Redis unavailable, not counted", bucket, exc_info=True)
        return True
    return int(count) <= limit
