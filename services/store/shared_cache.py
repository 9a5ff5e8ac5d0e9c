"""The query cache shared by every web worker, in Redis: one query per key for all workers, and an invalidation by
any process (a worker, the persist worker, the simulator) reaches them all at once.

Same contract as `services.store.cache.LocalQueryCache`: entries keyed by (namespace, function name, the caller's data
scope, args), so two scopes never share an entry; a writer's `invalidate(namespace)` bumps the namespace's generation
(an INCR), and an entry is served only while its generation is current, so a result computed before a write is never
served after it. A hit costs one round trip (MGET of the generation and the entry).

Fifty walls asking for the same expired key at once compute it once: the first takes a short lock (SET NX PX) and
the others wait for its result, up to a bound, then compute themselves rather than hang.

Values are pickled (DataFrames, dataclasses) and signed with an HMAC of the app's secret key, so an entry someone
else wrote into Redis is recomputed, never unpickled. If Redis fails, the cache computes and serves directly: a
cache must never take a page down.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import pickle
import time
from collections.abc import Callable, Hashable
from typing import TypeVar

import redis

from services.config import Settings
from services.store.cache import set_default_cache

log = logging.getLogger(__name__)

T = TypeVar("T")
_MAC_SIZE = hashlib.sha256().digest_size


class RedisQueryCache:
    """A `services.store.cache.QueryCache` in Redis; `prefix` separates deployments (and stores) sharing one server."""

    def __init__(self, client: redis.Redis, *, prefix: str, secret: str, ttl: float = 10.0,
                 lock_ms: int = 10_000, wait_s: float = 5.0, poll_s: float = 0.02):
        if ttl <= 0:
            raise ValueError("cache ttl must be positive")
        self._client, self._prefix, self._ttl_ms = client, prefix, int(ttl * 1000)
        self._key = hashlib.sha256(f"onescreen-query-cache:{secret}".encode()).digest()
        self._lock_ms, self._wait_s, self._poll_s = lock_ms, wait_s, poll_s

    @classmethod
    def from_settings(cls, settings: Settings, *, store: str, ttl: float = 10.0) -> RedisQueryCache:
        """A cache on the deployment's Redis, its keys prefixed per store (two stores never share entries)."""
        if not settings.redis_url:
            raise ValueError("a shared cache needs a Redis server (ONESCREEN_REDIS_URL)")
        client = redis.Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=2)
        tag = hashlib.sha256(store.encode()).hexdigest()[:12]
        return cls(client, prefix=f"{settings.stream_prefix}:cache:{tag}", secret=settings.secret_key, ttl=ttl)

    def _generation_key(self, namespace: str) -> str:
        return f"{self._prefix}:gen:{namespace}"

    def _entry_key(self, namespace: str, name: str, scope: Hashable, args: Hashable) -> str:
        digest = hashlib.sha256(repr((name, scope, args)).encode()).hexdigest()
        return f"{self._prefix}:entry:{namespace}:{digest}"

    def _seal(self, generation: int, value: object) -> bytes:
        body = pickle.dumps((generation, value), protocol=pickle.HIGHEST_PROTOCOL)
        return hmac.digest(self._key, body, "sha256") + body

    def _open(self, blob: bytes | None, generation: int) -> tuple[bool, object]:
        """(True, value) for an entry of the current generation whose signature holds; (False, None) otherwise."""
        if not blob or len(blob) <= _MAC_SIZE:
            return False, None
        mac, body = blob[:_MAC_SIZE], blob[_MAC_SIZE:]
        if not hmac.compare_digest(mac, hmac.digest(self._key, body, "sha256")):
            log.warning("query cache entry with a bad signature ignored")
            return False, None
        stored_generation, value = pickle.loads(body)  # noqa: S301 - signed by this deployment's key above
        return stored_generation == generation, value

    def _lookup(self, namespace: str, key: str) -> tuple[int, bool, object]:
        raw_generation, blob = self._client.mget(self._generation_key(namespace), key)
        generation = int(raw_generation or 0)
        return (generation, *self._open(blob if isinstance(blob, bytes) else None, generation))

    def get_or_compute(self, namespace: str, name: str, scope: Hashable, args: Hashable,
                       compute: Callable[[], T]) -> T:
        """The shared result for the key, or `compute()` stored under the generation current when it started."""
        key = self._entry_key(namespace, name, scope, args)
        lock = f"{key}:lock"
        try:
            generation, hit, value = self._lookup(namespace, key)
            if hit:
                return value  # type: ignore[return-value]
            owner = bool(self._client.set(lock, b"1", nx=True, px=self._lock_ms))
            if not owner:  # another worker is computing this key: wait for its result, within a bound
                deadline = time.monotonic() + self._wait_s
                while time.monotonic() < deadline and self._client.exists(lock):
                    time.sleep(self._poll_s)
                generation, hit, value = self._lookup(namespace, key)
                if hit:
                    return value  # type: ignore[return-value]
        except (redis.RedisError, OSError) as exc:
            log.warning("query cache unavailable, computing directly: %s", exc)
            return compute()
        try:
            result = compute()
            self._store(key, generation, result)  # before the lock goes, so the waiters find it
        finally:
            if owner:
                self._release(lock)
        return result

    def _store(self, key: str, generation: int, value: object) -> None:
        try:
            self._client.set(key, self._seal(generation, value), px=self._ttl_ms)
        except (redis.RedisError, OSError) as exc:
            log.warning("query cache unavailable, result not stored: %s", exc)

    def _release(self, lock: str) -> None:
        try:
            self._client.delete(lock)
        except (redis.RedisError, OSError):
            pass  # the lock expires by itself

    def invalidate(self, namespace: str) -> None:
        """Every worker stops serving the namespace's entries at once (their generation is no longer current)."""
        try:
            self._client.incr(self._generation_key(namespace))
        except (redis.RedisError, OSError) as exc:  # entries still expire by their TTL
            log.warning("query cache invalidation of %s failed: %s", namespace, exc)


def install_shared_cache(settings: Settings) -> bool:
    """Make the process's query cache the shared one when a Redis server is configured (every web worker and every
    background process of a deployment calls this at start); with the embedded Redis the in-process cache stays.
    Returns whether the shared cache is in use."""
    if not settings.redis_url:
        return False
    set_default_cache(RedisQueryCache.from_settings(settings, store=settings.database_url))
    return True
