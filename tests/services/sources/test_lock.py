"""The per-source lock on a real Redis: one holder at a time, and a holder whose lock expired never touches the
next holder's."""

from __future__ import annotations

import time

import redis

from services.sources.lock import SourceLock


def test_one_holder_and_an_expired_holder_cannot_renew_or_release_the_next_ones(redis_client: redis.Redis) -> None:
    first, second = SourceLock(redis_client, "t:lock", 1), SourceLock(redis_client, "t:lock", 1)
    assert first.acquire() and not second.acquire()
    assert first.renew()
    time.sleep(1.2)  # first's TTL runs out (a batch slower than the TTL)
    assert second.acquire()
    assert not first.renew() and not first.release()
    assert redis_client.get("t:lock") == second.token
    assert second.release() and redis_client.get("t:lock") is None


def test_the_lock_works_on_the_embedded_demo_redis_which_has_no_lua() -> None:
    """The demo runs its connectors in-process on fakeredis: redis-py's Lua-based Lock failed there on renewal."""
    from services.config import Settings
    from services.platform.redis import make_redis

    embedded = make_redis(Settings(redis_url=None, _env_file=None))
    lock = SourceLock(embedded, "t:demo-lock", 5)
    assert lock.acquire() and lock.renew() and lock.release()
