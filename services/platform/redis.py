"""Redis client factories: the configured server, or the embedded in-process one.

With no `ONESCREEN_REDIS_URL` the embedded demo uses fakeredis: one in-process server that the synchronous clients
(simulator, API) and the asynchronous ones (page push) share, so a single process behaves like the real deployment.
"""

from __future__ import annotations

from typing import Any

import redis
import redis.asyncio as aioredis

from services.config import Settings

_embedded_server: Any = None


def _fake_server() -> Any:
    global _embedded_server
    if _embedded_server is None:
        import fakeredis

        _embedded_server = fakeredis.FakeServer()
    return _embedded_server


def make_redis(settings: Settings) -> redis.Redis:
    """A synchronous client that decodes to str; the embedded server when no URL is configured."""
    if settings.redis_url:
        return redis.Redis.from_url(settings.redis_url, decode_responses=True, health_check_interval=30,
                                socket_connect_timeout=5)
    import fakeredis

    return fakeredis.FakeRedis(server=_fake_server(), decode_responses=True)


def make_async_redis(settings: Settings) -> aioredis.Redis:
    """An asyncio client for blocking reads on the event loop (one per page connection loop is not needed)."""
    if settings.redis_url:
        return aioredis.Redis.from_url(settings.redis_url, decode_responses=True, health_check_interval=30,
                                socket_connect_timeout=5)
    import fakeredis

    return fakeredis.FakeAsyncRedis(server=_fake_server(), decode_responses=True)
