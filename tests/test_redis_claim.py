"""Runs sharing one Redis server each claim a database number of their own."""

from __future__ import annotations

from redis import Redis

from tests.fixtures.redis import CLAIM_KEY, Claim, with_database


def test_with_database_keeps_the_server():
    assert with_database("redis://h:6379/0", 3) == "redis://h:6379/3"
    assert with_database("redis://:pw@h:6379", 2) == "redis://:pw@h:6379/2"
    assert with_database("unix:///run/redis.sock", 4) == "unix:///run/redis.sock?db=4"


def test_two_runs_get_different_databases_and_give_them_back(redis_url):
    base = with_database(redis_url, 0)
    first, second = Claim(base), Claim(base)
    try:
        assert first.number != second.number and 0 not in (first.number, second.number)
        Redis.from_url(first.url).set("mine", "1")
        assert Redis.from_url(second.url).get("mine") is None
    finally:
        first.release()
        second.release()
    admin = Redis.from_url(base)
    assert admin.get(CLAIM_KEY.format(first.number)) is None
    assert admin.get(CLAIM_KEY.format(second.number)) is None
    Redis.from_url(first.url).flushdb()
