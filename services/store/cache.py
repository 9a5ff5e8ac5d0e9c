"""The query cache: every wall and browser polling the same view costs one query per lifetime.

A result belongs to a `Namespace`, which names the tables it is computed from and how long an entry lives. Entries
are keyed by (namespace, function name, the caller's data scope, args): the scope is part of the key so that two
users who may see different data (a district, a set of departments, the whole city) never share an entry.

Each table has a generation; an entry is served only while the generations of its namespace's tables are the ones
it was computed under. A commit that wrote a table bumps its generation (`services.store.invalidation`, installed
on the runtime's sessionmaker), so a result computed before the write is never served after it, even one whose
computation was still running when the write landed. A namespace with no tables (the event map's bases, kept exact
by their own marks) is never invalidated: its entries live their lifetime, and `put` replaces them.

The cache is built by the runtime (`services.platform.runtime`): this in-process one for the embedded demo, the Redis
one of `services.store.shared_cache` (same `QueryCache` interface) with a Redis server. Services reach it through
their session (`cached`), so a session opened without the runtime's sessionmaker simply computes.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ParamSpec, Protocol, TypeVar, cast

from cachetools import TLRUCache
from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")
P = ParamSpec("P")
SESSION_KEY = "query_cache"  # where a session made by the runtime's sessionmaker carries the cache
DEFAULT_LIFETIME = 10.0


@dataclass(frozen=True)
class Namespace:
    """A family of cached results: the tables they are computed from (sorted, so every process reads their
    generations in one order) and the seconds an entry lives."""

    name: str
    tables: tuple[str, ...] = ()
    lifetime: float = DEFAULT_LIFETIME

    def __post_init__(self) -> None:
        if self.lifetime <= 0:
            raise ValueError(f"cache namespace {self.name!r}: lifetime must be positive")
        object.__setattr__(self, "tables", tuple(sorted(set(self.tables))))


class QueryCache(Protocol):
    """What services need from a cache."""

    def get_or_compute(self, namespace: Namespace, name: str, scope: Hashable, args: Hashable,
                       compute: Callable[[], T]) -> T: ...

    def get(self, namespace: Namespace, name: str, scope: Hashable, args: Hashable) -> Any | None: ...

    def put(self, namespace: Namespace, name: str, scope: Hashable, args: Hashable, value: object) -> None: ...

    def invalidate(self, tables: Iterable[str]) -> None: ...


def checked_key(namespace: Namespace, name: str, scope: Hashable, args: Hashable) -> tuple[Any, ...]:
    key = (namespace, name, scope, args)
    try:
        hash(key)
    except TypeError as exc:
        raise TypeError(f"cache key for {name!r} must be hashable (scope and args): {exc}") from exc
    return key


class LocalQueryCache:
    """A thread-safe in-process cache (cachetools.TLRUCache, each entry living its namespace's lifetime) with a
    generation counter per table."""

    def __init__(self, *, maxsize: int = 1024, timer: Callable[[], float] = time.monotonic):
        if maxsize <= 0:
            raise ValueError("cache maxsize must be positive")
        self._entries: TLRUCache[tuple[Any, ...], tuple[tuple[int, ...], object]] = TLRUCache(
            maxsize=maxsize, ttu=lambda key, _value, now: now + key[0].lifetime, timer=timer)
        self._generations: dict[str, int] = {}
        self._lock = threading.Lock()

    def _current(self, namespace: Namespace) -> tuple[int, ...]:
        return tuple(self._generations.get(table, 0) for table in namespace.tables)

    def _lookup(self, key: tuple[Any, ...]) -> tuple[tuple[int, ...], bool, Any]:
        with self._lock:
            generations = self._current(key[0])
            stored = self._entries.get(key)
        if stored is not None and stored[0] == generations:
            return generations, True, stored[1]
        return generations, False, None

    def get_or_compute(self, namespace: Namespace, name: str, scope: Hashable, args: Hashable,
                       compute: Callable[[], T]) -> T:
        """The cached result for the key, or `compute()` stored under the generations current when it started."""
        key = checked_key(namespace, name, scope, args)
        generations, hit, value = self._lookup(key)
        if hit:
            return cast(T, value)
        # Computed outside the lock: a slow query must not block readers of other keys.
        result = compute()
        with self._lock:
            if self._current(namespace) == generations:
                self._entries[key] = (generations, result)
        return result

    def get(self, namespace: Namespace, name: str, scope: Hashable, args: Hashable) -> Any | None:
        """The entry for the key if it is current, else None."""
        return self._lookup(checked_key(namespace, name, scope, args))[2]

    def put(self, namespace: Namespace, name: str, scope: Hashable, args: Hashable, value: object) -> None:
        """Store `value` under the current generations: for values that stay exact by themselves (a namespace with
        no tables) or that were computed after the last write."""
        key = checked_key(namespace, name, scope, args)
        with self._lock:
            self._entries[key] = (self._current(namespace), value)

    def invalidate(self, tables: Iterable[str]) -> None:
        """Forget every entry computed from `tables`: bump their generations and drop what they can no longer
        reach."""
        written = set(tables)
        if not written:
            return
        with self._lock:
            for table in written:
                self._generations[table] = self._generations.get(table, 0) + 1
            for key in [k for k in self._entries if written.intersection(k[0].tables)]:
                del self._entries[key]

    def __len__(self) -> int:
        with self._lock:
            self._entries.expire()
            return len(self._entries)


def cache_of(session: Session | sessionmaker[Session]) -> QueryCache | None:
    """The cache a session (or a sessionmaker's sessions) carries: the runtime's, or None outside the runtime."""
    info = session.info if isinstance(session, Session) else session.kw.get("info") or {}
    cache: QueryCache | None = info.get(SESSION_KEY)
    return cache


def cached(session: Session, namespace: Namespace, name: str, scope: Hashable, args: Hashable,
           compute: Callable[[], T]) -> T:
    """`compute()` through the session's cache; computed directly when the session carries none."""
    cache = cache_of(session)
    return compute() if cache is None else cache.get_or_compute(namespace, name, scope, args, compute)


def cached_query(namespace: Namespace) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """A keyword-only query `f(*, session, scope, ...)` cached in `namespace` per scope and the other arguments
    (which must be hashable): its callers, pages or API, call it plainly and share its entries."""

    def decorate(query: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(query)
        def run(*args: P.args, **kwargs: P.kwargs) -> T:
            if args:
                raise TypeError(f"{query.__name__} takes keyword arguments only")
            session = kwargs["session"]
            if not isinstance(session, Session):
                raise TypeError(f"{query.__name__}: session must be a Session")
            scope = getattr(kwargs.get("scope"), "key", None)
            rest = tuple(sorted((k, v) for k, v in kwargs.items() if k not in ("session", "scope")))
            return cached(session, namespace, query.__name__, scope, rest, lambda: query(*args, **kwargs))

        return run

    return decorate


def moment_key(now: datetime | None, seconds: float = DEFAULT_LIFETIME) -> datetime | None:
    """The cache-key form of a `now` argument. Panels pass the current time, which as a key would make every call
    a miss; floored to `seconds` (the lifetime), one entry serves the calls of its lifetime, as it does for
    `now=None` (a write still invalidates it at once)."""
    if now is None:
        return None
    step = int(seconds * 1_000_000)
    micros = int(now.timestamp() * 1_000_000)
    return datetime.fromtimestamp((micros - micros % step) / 1_000_000, tz=now.tzinfo)
