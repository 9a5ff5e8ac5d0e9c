"""A small TTL cache for query results, so that every wall and browser polling the same KPIs costs one query.

Entries are keyed by (namespace, generation, function name, the caller's data scope, args). The data scope is part
of the key so that two users who may see different data (a district, a set of departments, the whole city) never
share an entry. Writers call `invalidate(namespace)` after they store new rows: it bumps the namespace's generation,
so an entry computed before the write is never served again, even one whose computation was still running when the
write happened (it is stored under the generation it started with).

This cache is in-process (each uvicorn worker has its own, and an invalidation reaches only its own worker; the TTL
bounds how long another worker may serve an older result). With a Redis server configured, every process of a
deployment swaps in the shared cache of `services/shared_cache.py` (same `QueryCache` interface) at start-up.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Protocol, TypeVar

from cachetools import TTLCache

T = TypeVar("T")


class QueryCache(Protocol):
    """What services need from a cache."""

    def get_or_compute(
        self, namespace: str, name: str, scope: Hashable, args: Hashable, compute: Callable[[], T]
    ) -> T: ...

    def invalidate(self, namespace: str) -> None: ...


class LocalQueryCache:
    """A thread-safe in-process TTL cache (cachetools.TTLCache) with a generation counter per namespace."""

    def __init__(
        self, *, maxsize: int = 1024, ttl: float = 10.0, timer: Callable[[], float] = time.monotonic
    ):
        if maxsize <= 0 or ttl <= 0:
            raise ValueError("cache maxsize and ttl must be positive")
        self._entries: TTLCache[Hashable, object] = TTLCache(maxsize=maxsize, ttl=ttl, timer=timer)
        self._generations: dict[str, int] = {}
        self._lock = threading.Lock()

    def generation(self, namespace: str) -> int:
        with self._lock:
            return self._generations.get(namespace, 0)

    def get_or_compute(
        self, namespace: str, name: str, scope: Hashable, args: Hashable, compute: Callable[[], T]
    ) -> T:
        """The cached result for the key, or `compute()` stored under the generation current when it started."""
        key = (namespace, self.generation(namespace), name, scope, args)
        try:
            hash(key)
        except TypeError as exc:
            raise TypeError(f"cache key for {name!r} must be hashable (scope and args): {exc}") from exc
        with self._lock:
            if key in self._entries:
                return self._entries[key]  # type: ignore[return-value]
        # Computed outside the lock: a slow query must not block readers of other keys.
        value = compute()
        with self._lock:
            if self._generations.get(namespace, 0) == key[1]:
                self._entries[key] = value
        return value

    def invalidate(self, namespace: str) -> None:
        """Forget every entry of `namespace`: bump its generation and drop the entries it can no longer reach."""
        with self._lock:
            self._generations[namespace] = self._generations.get(namespace, 0) + 1
            for key in [k for k in self._entries if k[0] == namespace]:  # type: ignore[index]
                del self._entries[key]

    def __len__(self) -> int:
        with self._lock:
            self._entries.expire()
            return len(self._entries)


_default: QueryCache | None = None
_default_lock = threading.Lock()


def default_cache() -> QueryCache:
    """The process's cache, created on first use (importing this module creates nothing)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = LocalQueryCache()
        return _default


def set_default_cache(cache: QueryCache | None) -> None:
    """Replace the process's cache (a shared one in production, a fresh one per test); None = recreate on use."""
    global _default
    with _default_lock:
        _default = cache


def invalidate(namespace: str) -> None:
    """Writers call this after storing rows that results of `namespace` are computed from."""
    default_cache().invalidate(namespace)


def moment_key(now: datetime | None, seconds: float = 10.0) -> datetime | None:
    """The cache-key form of a `now` argument. Panels pass the current time, which as a key would make every call
    a miss; floored to `seconds` (the TTL), one entry serves the calls of its lifetime, as it does for `now=None`
    (a write still invalidates it at once)."""
    if now is None:
        return None
    step = int(seconds * 1_000_000)
    micros = int(now.timestamp() * 1_000_000)
    return datetime.fromtimestamp((micros - micros % step) / 1_000_000, tz=now.tzinfo)
