"""The Redis-shared query cache on a real Redis: two workers share entries and invalidations, scopes never share,
a forged entry is recomputed, a stampede computes once, and a dead Redis only costs the cache."""

from __future__ import annotations

import socket
import threading
import time

import pandas as pd
import pytest
import redis

from services.config import Settings
from services.store.shared_cache import RedisQueryCache


def _worker(redis_url: str, **options: float) -> RedisQueryCache:
    """A cache as one web worker holds it (its own connection)."""
    return RedisQueryCache(redis.Redis.from_url(redis_url), prefix="t:cache", secret="s3cret", **options)


class Counter:
    """A compute function that counts its calls and returns a fresh DataFrame each time."""

    def __init__(self, pause: float = 0.0) -> None:
        self.calls, self.pause, self._lock = 0, pause, threading.Lock()

    def __call__(self) -> pd.DataFrame:
        with self._lock:
            self.calls += 1
            n = self.calls
        time.sleep(self.pause)
        return pd.DataFrame({"district": ["350203"], "open": [n]})


def test_two_workers_share_an_entry_and_an_invalidation(redis_client: redis.Redis, redis_url: str) -> None:
    first, second, compute = _worker(redis_url), _worker(redis_url), Counter()
    a = first.get_or_compute("events", "open_by_district", ("city",), ("2026-11-23",), compute)
    b = second.get_or_compute("events", "open_by_district", ("city",), ("2026-11-23",), compute)
    assert compute.calls == 1
    pd.testing.assert_frame_equal(a, b)

    first.invalidate("events")  # e.g. the persist worker stored new events
    c = second.get_or_compute("events", "open_by_district", ("city",), ("2026-11-23",), compute)
    assert compute.calls == 2 and c["open"].item() == 2
    other = second.get_or_compute("approvals", "open_by_district", ("city",), ("2026-11-23",), Counter())
    assert other["open"].item() == 1, "another namespace is not touched by the invalidation"


def test_scopes_and_arguments_never_share_an_entry(redis_client: redis.Redis, redis_url: str) -> None:
    cache, compute = _worker(redis_url), Counter()
    city = cache.get_or_compute("events", "q", ("city",), (1,), compute)
    siming = cache.get_or_compute("events", "q", ("350203",), (1,), compute)
    other_args = cache.get_or_compute("events", "q", ("city",), (2,), compute)
    assert [frame["open"].item() for frame in (city, siming, other_args)] == [1, 2, 3]


def test_a_result_computed_before_a_write_is_not_served_after_it(redis_client: redis.Redis, redis_url: str) -> None:
    cache = _worker(redis_url)

    def slow_then_write() -> str:
        cache.invalidate("events")  # a write lands while the query runs
        return "before the write"

    assert cache.get_or_compute("events", "q", (), (), slow_then_write) == "before the write"
    assert cache.get_or_compute("events", "q", (), (), lambda: "after the write") == "after the write"


def test_an_entry_not_signed_with_the_key_is_recomputed(redis_client: redis.Redis, redis_url: str) -> None:
    cache, compute = _worker(redis_url), Counter()
    cache.get_or_compute("events", "q", (), (), compute)
    raw = redis.Redis.from_url(redis_url)
    (key,) = [k for k in raw.keys("t:cache:entry:*")]
    raw.set(key, b"\0" * 32 + b"forged pickle")
    forger = RedisQueryCache(raw, prefix="t:cache", secret="another deployment")
    assert forger.get_or_compute("events", "q", (), (), lambda: "recomputed") == "recomputed"
    assert cache.get_or_compute("events", "q", (), (), compute)["open"].item() == 2


def test_a_stampede_computes_once(redis_client: redis.Redis, redis_url: str) -> None:
    compute, results = Counter(pause=0.3), []
    workers = [_worker(redis_url) for _ in range(8)]
    threads = [threading.Thread(target=lambda w=w: results.append(
        w.get_or_compute("events", "q", (), (), compute)["open"].item())) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert compute.calls == 1
    assert results == [1] * 8


def test_entries_expire_with_the_ttl(redis_client: redis.Redis, redis_url: str) -> None:
    cache, compute = _worker(redis_url, ttl=0.2), Counter()
    cache.get_or_compute("events", "q", (), (), compute)
    deadline = time.monotonic() + 5
    while redis.Redis.from_url(redis_url).keys("t:cache:entry:*") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert cache.get_or_compute("events", "q", (), (), compute)["open"].item() == 2


def test_without_redis_it_computes_and_serves() -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cache = _worker(f"redis://127.0.0.1:{port}/0")
    assert cache.get_or_compute("events", "q", (), (), lambda: "served") == "served"
    cache.invalidate("events")  # logged, not raised


def test_settings_without_a_redis_server_are_refused() -> None:
    with pytest.raises(ValueError, match="Redis"):
        RedisQueryCache.from_settings(Settings(redis_url=None, _env_file=None), store="sqlite:///x.db")
