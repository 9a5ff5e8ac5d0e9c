"""Rate limits (the `limits` library, sliding-window counters) on sign-in and on ingest.

Counters live in the deployment's Redis, so every worker shares them, on the runtime's async client's connection
pool (the limiter opens no connection of its own); the embedded demo (no Redis URL) counts in memory. A limiter that cannot reach its store lets the request through and logs it: an outage of Redis must not
lock every operator out of the wall.
"""

from __future__ import annotations

import logging
from typing import Any

from limits import RateLimitItem, parse
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string
from redis import RedisError
from redis.asyncio import Redis

log = logging.getLogger(__name__)
_UNREACHABLE = (StorageError, RedisError, OSError)

LOGIN_PER_ADDRESS = "30/minute"  # sign-in attempts from one address
LOGIN_FAILURES_PER_USER = "5/5minutes"  # wrong passwords for one user name from one address before it waits
INGEST_PER_INTEGRATOR = "6000/minute"  # API writes by one integrator's token


class Limiter:
    """`await limiter.hit(rule, key...)` counts one and says whether it is still within the rule."""

    def __init__(self, client: Redis | None, prefix: str) -> None:
        """Count in `client`'s Redis (the runtime's async client), or in memory without one."""
        if client is None:
            storage = storage_from_string("async+memory://")
        else:
            options: dict[str, Any] = {"connection_pool": client.connection_pool, "key_prefix": f"{prefix}:limits",
                                       "implementation": "redispy"}
            storage = storage_from_string("async+redis://", **options)
        self._limiter = SlidingWindowCounterRateLimiter(storage)

    @staticmethod
    def _rule(rule: str) -> RateLimitItem:
        return parse(rule)

    async def hit(self, rule: str, *keys: str) -> bool:
        try:
            return await self._limiter.hit(self._rule(rule), *keys)
        except _UNREACHABLE as exc:
            log.warning("rate limit store unreachable, letting the request through: %s", exc)
            return True

    async def within(self, rule: str, *keys: str) -> bool:
        """True while the rule still has room, without counting."""
        try:
            return await self._limiter.test(self._rule(rule), *keys)
        except _UNREACHABLE as exc:
            log.warning("rate limit store unreachable, letting the request through: %s", exc)
            return True

    async def reset(self, rule: str, *keys: str) -> None:
        """Forget the counts for `keys` (a successful sign-in clears its user's failures)."""
        try:
            await self._limiter.clear(self._rule(rule), *keys)
        except _UNREACHABLE as exc:
            log.warning("rate limit store unreachable: %s", exc)
