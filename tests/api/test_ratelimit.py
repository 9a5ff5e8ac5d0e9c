"""api.ratelimit: counts on the runtime's async Redis client (its connection pool, none of its own), shared by every
limiter on that server, or in memory without one."""

from __future__ import annotations

import asyncio

import redis
import redis.asyncio as aioredis

from api.ratelimit import Limiter


def test_counts_live_in_the_runtime_clients_redis(redis_client: redis.Redis, redis_url: str) -> None:
    async def run() -> list[bool]:
        client = aioredis.Redis.from_url(redis_url, decode_responses=True)  # as the runtime's async client
        try:
            first, second = Limiter(client, "t"), Limiter(client, "t")  # e.g. two workers
            return [await first.hit("2/minute", "10.0.0.1"), await second.hit("2/minute", "10.0.0.1"),
                    await first.hit("2/minute", "10.0.0.1"), await first.within("2/minute", "10.0.0.2")]
        finally:
            await client.aclose()

    assert asyncio.run(run()) == [True, True, False, True]
    assert redis_client.keys("t:limits*"), "the counters are in the runtime's Redis, under the deployment's prefix"


def test_without_redis_it_counts_in_memory() -> None:
    async def run() -> list[bool]:
        limiter = Limiter(None, "t")
        return [await limiter.hit("1/minute", "u"), await limiter.hit("1/minute", "u")]

    assert asyncio.run(run()) == [True, False]
