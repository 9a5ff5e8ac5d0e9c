"""The query cache shared by every web worker, in Redis: one query per key for all workers, and an invalidation by
any process (a worker, the persist worker, the simulator) reaches them all at once.

Same contract as `services.store.cache.LocalQueryCache`: entries keyed by (namespace, function name, the caller's data
scope, args), so two scopes never share an entry; a commit that wrote a table bumps the table's generation (an INCR),
and an entry is served only while the generations of its namespace's tables are the ones it was computed under, so a
result computed before a write is never served after it. A hit costs one round trip (MGET of the generations and the
entry). Each entry lives its namespace's lifetime (PX).

Fifty walls asking for the same expired key at once compute it once: the first takes a short lock (SET NX PX) and
the others wait for its result, up to a bound, then compute themselves rather than hang.

Values are pickled (DataFrames, dataclasses) and signed with an HMAC of the app's secret key, so an entry someone
else wrote into Redis is recomputed, never unpickled. If Redis fails, the cache computes and serves directly: a
cache must never take a page down. The client is the runtime's (it decodes replies to text; the entries are read
undecoded, redis-py's NEVER_DECODE).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import pickle
import time
from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar, cast

import redis
from redis.client import NEVER_DECODE

from services.config import Settings
from services.store.cache import Namespace, checked_key

log = logging.getLogger(__name__)

T = TypeVar("T")
_MAC_SIZE = hashlib.sha256().digest_size
_FAILURES = (redis.RedisError, OSError)


class RedisQueryCache:
    """A `services.store.cache.QueryCache` in Redis; `prefix` separates deployments (and stores) sharing one server."""

    def __init__(self, client: redis.Redis, *, prefix: str, secret: str, lock_ms: int = 10_000,
                 wait_s: float = 5.0, poll_s: float = 0.02):
        self._client, self._prefix = client, prefix
        self._key = hashlib.sha256(f"onescreen-query-cache:{secret}".encode()).digest()
        self._lock_ms, self._wait_s, self._poll_s = lock_ms, wait_s, poll_s

    @classmethod
    def for_store(cls, client: redis.Redis, settings: Settings) -> RedisQueryCache:
        """The deployment's cache on `client`, its keys prefixed per store (two stores never share entries)."""
        tag = hashlib.sha256(settings.database_url.encode()).hexdigest()[:12]
        return cls(client, prefix=f"{settings.stream_prefix}:cache:{tag}", secret=settings.secret_key)

    def _generation_keys(self, namespace: Namespace) -> list[str]:
        return [f"{self._prefix}:gen:{table}" for table in namespace.tables]

    def _entry_key(self, namespace: Namespace, name: str, scope: Hashable, args: Hashable) -> str:
        checked_key(namespace, name, scope, args)
        digest = hashlib.sha256(repr((name, scope, args)).encode()).hexdigest()
        return f"{self._prefix}:entry:{namespace.name}:{digest}"

    def _seal(self, generations: tuple[int, ...], value: object) -> bytes:
        body = pickle.dumps((generations, value), protocol=pickle.HIGHEST_PROTOCOL)
        return hmac.digest(self._key, body, "sha256") + body

    def _open(self, blob: bytes | None, generations: tuple[int, ...]) -> tuple[bool, Any]:
        """(True, value) for an entry of the current generations whose signature holds; (False, None) otherwise."""
        if not blob or len(blob) <= _MAC_SIZE:
            return False, None
        mac, body = blob[:_MAC_SIZE], blob[_MAC_SIZE:]
        if not hmac.compare_digest(mac, hmac.digest(self._key, body, "sha256")):
            log.warning("query cache entry with a bad signature ignored")
            return False, None
        stored_generations, value = pickle.loads(body)  # noqa: S301 - signed by this deployment's key above
        return stored_generations == generations, value

    def _lookup(self, namespace: Namespace, key: str) -> tuple[tuple[int, ...], bool, Any]:
        command: Callable[..., list[Any]] = self._client.execute_command  # typed here: redis-py leaves it untyped
        *raw, blob = command("MGET", *self._generation_keys(namespace), key, **{NEVER_DECODE: True})
        generations = tuple(int(value or 0) for value in raw)
        return (generations, *self._open(blob if isinstance(blob, bytes) else None, generations))

    def get_or_compute(self, namespace: Namespace, name: str, scope: Hashable, args: Hashable,
                       compute: Callable[[], T]) -> T:
        """The shared result for the key, or `compute()` stored under the generations current when it started."""
        key = self._entry_key(namespace, name, scope, args)
        lock = f"{key}:lock"
        try:
            generations, hit, value = self._lookup(namespace, key)
            if hit:
                return cast(T, value)
            owner = bool(self._client.set(lock, b"1", nx=True, px=self._lock_ms))
            if not owner:  # another worker is computing this key: wait for its result, within a bound
                deadline = time.monotonic() + self._wait_s
                while time.monotonic() < deadline and self._client.exists(lock):
                    time.sleep(self._poll_s)
                generations, hit, value = self._lookup(namespace, key)
                if hit:
                    return cast(T, value)
        except _FAILURES as exc:
            log.warning("query cache unavailable, computing directly: %s", exc)
            return compute()
        try:
            result = compute()
            self._store(namespace, key, generations, result)  # before the lock goes, so the waiters find it
        finally:
            if owner:
                self._release(lock)
        return result

    def get(self, namespace: Namespace, name: str, scope: Hashable, args: Hashable) -> Any | None:
        """The entry for the key if it is current, else None (also when Redis fails)."""
        try:
            _, hit, value = self._lookup(namespace, self._entry_key(namespace, name, scope, args))
        except _FAILURES as exc:
            log.warning("query cache unavailable: %s", exc)
            return None
        return value if hit else None

    def put(self, namespace: Namespace, name: str, scope: Hashable, args: Hashable, value: object) -> None:
        """Store `value` under the current generations (see `LocalQueryCache.put`)."""
        key = self._entry_key(namespace, name, scope, args)
        try:
            raw = self._client.mget(self._generation_keys(namespace)) if namespace.tables else []
        except _FAILURES as exc:
            log.warning("query cache unavailable, result not stored: %s", exc)
            return
        self._store(namespace, key, tuple(int(g or 0) for g in raw), value)

    def _store(self, namespace: Namespace, key: str, generations: tuple[int, ...], value: object) -> None:
        try:
            self._client.set(key, self._seal(generations, value), px=int(namespace.lifetime * 1000))
        except _FAILURES as exc:
            log.warning("query cache unavailable, result not stored: %s", exc)

    def _release(self, lock: str) -> None:
        try:
            self._client.delete(lock)
        except _FAILURES:
            pass  # the lock expires by itself

    def invalidate(self, tables: Iterable[str]) -> None:
        """Every worker stops serving the entries computed from `tables` at once (their generations move on)."""
        written = sorted(set(tables))
        if not written:
            return
        try:
            with self._client.pipeline(transaction=False) as pipe:
                for table in written:
                    pipe.incr(f"{self._prefix}:gen:{table}")
                pipe.execute()
        except _FAILURES as exc:  # entries still expire with their lifetime
            log.warning("query cache invalidation of %s failed: %s", ", ".join(written), exc)
