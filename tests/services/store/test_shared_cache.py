"""The Redis-shared query cache on a real Redis: two workers share entries and invalidations, scopes never share,
a forged entry is recomputed, a stampede computes once, and a dead Redis only costs the cache."""

from __future__ import annotations

import socket
import threading
import time

import pandas as pd
import redis

from services.config import Settings
from services.store.cache import Namespace
from services.store.shared_cache import RedisQueryCache

EVENTS = Namespace("events", tables=("event_dispatches", "events"))
APPROVALS = Namespace("approvals", tables=("applications",))


def _worker(redis_url: str, **options: float) -> RedisQueryCache:
    """A cache as one web worker holds it: on its runtime's client, which decodes replies to text."""
    return RedisQueryCache(redis.Redis.from_url(redis_url, decode_responses=True), prefix="t:cache", secret="s3cret",
                           **options)


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
    a = first.get_or_compute(EVENTS, "open_by_district", ("city",), ("2026-11-23",), compute)
    b = second.get_or_compute(EVENTS, "open_by_district", ("city",), ("2026-11-23",), compute)
    assert compute.calls == 1
    pd.testing.assert_frame_equal(a, b)

    first.invalidate(["events"])  # e.g. the persist worker stored new events
    c = second.get_or_compute(EVENTS, "open_by_district", ("city",), ("2026-11-23",), compute)
    assert compute.calls == 2 and c["open"].item() == 2
    other = second.get_or_compute(APPROVALS, "open_by_district", ("city",), ("2026-11-23",), Counter())
    assert other["open"].item() == 1, "a namespace reading other tables is not touched"


def test_scopes_and_arguments_never_share_an_entry(redis_client: redis.Redis, redis_url: str) -> None:
    cache, compute = _worker(redis_url), Counter()
    city = cache.get_or_compute(EVENTS, "q", ("city",), (1,), compute)
    siming = cache.get_or_compute(EVENTS, "q", ("350203",), (1,), compute)
    other_args = cache.get_or_compute(EVENTS, "q", ("city",), (2,), compute)
    assert [frame["open"].item() for frame in (city, siming, other_args)] == [1, 2, 3]


def test_a_result_computed_before_a_write_is_not_served_after_it(redis_client: redis.Redis, redis_url: str) -> None:
    cache = _worker(redis_url)

    def slow_then_write() -> str:
        cache.invalidate(["events"])  # a write lands while the query runs
        return "before the write"

    assert cache.get_or_compute(EVENTS, "q", (), (), slow_then_write) == "before the write"
    assert cache.get_or_compute(EVENTS, "q", (), (), lambda: "after the write") == "after the write"


def test_an_entry_not_signed_with_the_key_is_recomputed(redis_client: redis.Redis, redis_url: str) -> None:
    cache, compute = _worker(redis_url), Counter()
    cache.get_or_compute(EVENTS, "q", (), (), compute)
    raw = redis.Redis.from_url(redis_url)
    (key,) = [k for k in raw.keys("t:cache:entry:*")]
    raw.set(key, b"\0" * 32 + b"forged pickle")
    forger = RedisQueryCache(raw, prefix="t:cache", secret="another deployment")
    assert forger.get_or_compute(EVENTS, "q", (), (), lambda: "recomputed") == "recomputed"
    assert cache.get_or_compute(EVENTS, "q", (), (), compute)["open"].item() == 2


def test_a_stampede_computes_once(redis_client: redis.Redis, redis_url: str) -> None:
    compute, results = Counter(pause=0.3), []
    workers = [_worker(redis_url) for _ in range(8)]
    threads = [threading.Thread(target=lambda w=w: results.append(
        w.get_or_compute(EVENTS, "q", (), (), compute)["open"].item())) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert compute.calls == 1
    assert results == [1] * 8


def test_entries_expire_with_their_namespace_lifetime(redis_client: redis.Redis, redis_url: str) -> None:
    cache, compute, brief = _worker(redis_url), Counter(), Namespace("events", tables=("events",), lifetime=0.2)
    cache.get_or_compute(brief, "q", (), (), compute)
    deadline = time.monotonic() + 5
    while redis.Redis.from_url(redis_url).keys("t:cache:entry:*") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert cache.get_or_compute(brief, "q", (), (), compute)["open"].item() == 2


def test_put_and_get_share_a_value_that_writes_never_invalidate(redis_client: redis.Redis, redis_url: str) -> None:
    first, second, bases = _worker(redis_url), _worker(redis_url), Namespace("bases", lifetime=60)
    assert second.get(bases, "base", "city", ("view",)) is None
    first.put(bases, "base", "city", ("view",), pd.DataFrame({"id": [1, 2]}))
    first.invalidate(["events"])
    assert second.get(bases, "base", "city", ("view",))["id"].tolist() == [1, 2]
    first.put(EVENTS, "q", (), (), "put")
    assert second.get(EVENTS, "q", (), ()) == "put"
    second.invalidate(["event_dispatches"])
    assert first.get(EVENTS, "q", (), ()) is None


def test_without_redis_it_computes_and_serves() -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cache = _worker(f"redis://127.0.0.1:{port}/0")
    assert cache.get_or_compute(EVENTS, "q", (), (), lambda: "served") == "served"
    cache.invalidate(["events"])  # logged, not raised


def test_two_stores_on_one_server_never_share_entries(redis_client: redis.Redis, redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    first, second = (RedisQueryCache.for_store(client, Settings(database_url=url, redis_url=redis_url,
                                                                _env_file=None))
                     for url in ("sqlite:///a.db", "sqlite:///b.db"))
    first.get_or_compute(EVENTS, "q", (), (), lambda: "a")
    assert second.get_or_compute(EVENTS, "q", (), (), lambda: "b") == "b"
