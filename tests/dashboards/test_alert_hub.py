"""The worker's shared stream reader: every screen gets every entry after its own id, whatever the pool's size.

Fan-out level (the hub's reads, as each page's push loop makes them), on a real Redis: 1 000 full Dash websockets in
one test process would measure the test client more than the hub; bench/alerts.py --screens runs them end to end.
"""

from __future__ import annotations

import asyncio
from typing import Any

import redis
import redis.asyncio as aioredis

from dashboards._alert_hub import AlertHub, stream_order
from services.alerts import announce

STREAM = "test:hub:alerts"


def _publish(client: redis.Redis, count: int, first: int = 0) -> list[str]:
    return [str(client.xadd(STREAM, {"id": f"a-{n}", "headline": f"h{n}"})) for n in range(first, first + count)]


async def _screen(hub: AlertHub, last_id: str, want: int, batch: int = 100) -> list[str]:
    """What one screen's push loop sees: reads after its own last id until it has `want` entries (or 10 s pass)."""
    seen: list[str] = []
    async with asyncio.timeout(10):
        while len(seen) < want:
            entries = await hub.read_after(last_id, block_ms=1000, count=batch)
            if entries:
                last_id = entries[-1][0]
                seen += [stream_id for stream_id, _ in entries]
    return seen


def test_a_thousand_screens_each_get_the_alert_from_a_pool_of_ten(redis_client, redis_url):
    """Before the hub each waiting screen held a pool connection: past the pool's size, "Too many connections"."""
    _publish(redis_client, 3)  # history the screens' pages already show

    async def run() -> list[list[str]]:
        client = aioredis.Redis.from_url(redis_url, decode_responses=True, max_connections=10)
        try:
            hub = AlertHub(client, STREAM)
            opened_at = str(redis_client.xrevrange(STREAM, count=1)[0][0])
            screens = [asyncio.create_task(_screen(hub, opened_at, 1)) for _ in range(1_000)]
            await asyncio.sleep(0.5)  # every screen is waiting on the hub
            sent = await asyncio.to_thread(_publish, redis_client, 1, 3)
            seen = await asyncio.gather(*screens)
            assert all(ids == sent for ids in seen)
            return seen
        finally:
            await client.aclose()

    assert len(asyncio.run(run())) == 1_000


def test_a_screen_behind_the_hub_memory_catches_up_exactly_once_in_order(redis_client, redis_url):
    """A page opened on an old id (or back from a long stall) reads what the hub no longer holds, then joins it."""
    old = _publish(redis_client, 30)

    async def run() -> tuple[list[str], list[str]]:
        client = aioredis.Redis.from_url(redis_url, decode_responses=True)
        try:
            hub = AlertHub(client, STREAM, keep=5)
            live = asyncio.create_task(_screen(hub, old[-1], 40, batch=7))
            await asyncio.sleep(0.3)
            await asyncio.to_thread(_publish, redis_client, 40, 30)  # the hub keeps the newest 5 to 10 of them
            behind = await _screen(hub, old[9], 60, batch=7)
            return await live, behind
        finally:
            await client.aclose()

    live, behind = asyncio.run(run())
    everything = [str(sid) for sid, _ in redis_client.xrange(STREAM)]
    assert live == everything[30:]
    assert behind == everything[10:]
    assert behind == sorted(behind, key=stream_order)


def test_a_quiet_stream_is_kept_for_seconds_not_for_a_count_and_a_late_screen_still_gets_everything(redis_client,
                                                                                                        redis_url):
    """At a quiet city's pace the count bound alone took half an hour to fill: a 2-hour soak read the filling as a
    leak (issue 17). Entries a minute apart in the stream's own clock: the hub keeps the last `keep_seconds`."""
    base = int(redis_client.time()[0]) * 1000 - 3_600_000
    redis_client.xadd(STREAM, {"id": "opening"}, id=f"{base}-0")

    async def run() -> tuple[int, list[str]]:
        client = aioredis.Redis.from_url(redis_url, decode_responses=True)
        try:
            hub = AlertHub(client, STREAM, keep=1_000, keep_seconds=120)
            live = asyncio.create_task(_screen(hub, f"{base}-0", 40))
            await asyncio.sleep(0.3)
            await asyncio.to_thread(lambda: [redis_client.xadd(STREAM, {"id": f"m{n}"}, id=f"{base + 60_000 * n}-0")
                                             for n in range(1, 41)])
            await live
            held = len(hub._entries)  # pylint: disable=protected-access
            behind = await _screen(hub, f"{base}-0", 40, batch=7)
            return held, behind
        finally:
            await client.aclose()

    held, behind = asyncio.run(run())
    assert held <= 5  # 2 to 4 minutes' worth, where the count bound would hold all 40
    assert behind == [str(sid) for sid, _ in redis_client.xrange(STREAM)][1:]


def test_reads_raise_while_redis_is_unreachable(redis_url):
    """The page marks itself stale (its push loop catches the error) instead of waiting forever on a dead hub."""

    async def run() -> str:
        client = aioredis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
        try:
            hub = AlertHub(client, STREAM)
            try:
                await hub.read_after("0-0", block_ms=3000, count=10)
            except redis.ConnectionError as exc:
                return str(exc)
            return "no error"
        finally:
            await client.aclose()

    assert "unreachable" in asyncio.run(run())


def test_a_status_signal_wakes_a_waiting_screen_and_is_kept_for_it(redis_client, redis_url):
    """issue 18: an acknowledgement must reach every wall at once (its pop-up closes), on the same shared read."""
    _publish(redis_client, 1)

    async def run() -> tuple[list[Any], list[Any], float]:
        client = aioredis.Redis.from_url(redis_url, decode_responses=True)
        try:
            hub = AlertHub(client, STREAM)
            opened_at = str(redis_client.xrevrange(STREAM, count=1)[0][0])
            await hub.read_after(opened_at, block_ms=None, count=10)
            await asyncio.sleep(0.3)  # the reader is up, blocked on both streams
            signal_id = hub.signal_position()
            waiting = asyncio.create_task(hub.read_after(opened_at, block_ms=30_000, count=10))
            await asyncio.sleep(0.2)
            started = asyncio.get_running_loop().time()
            await asyncio.to_thread(announce, redis_client, STREAM, [{"source": "s", "id": "a-0", "status": "acknowledged"}])
            woken = await waiting
            return woken, hub.signals_after(signal_id), asyncio.get_running_loop().time() - started
        finally:
            await client.aclose()

    woken, signals, waited = asyncio.run(run())
    assert woken == []  # no alert: the screen goes to read its signals
    assert [fields for _, fields in signals] == [{"source": "s", "id": "a-0", "status": "acknowledged"}]
    assert waited < 30  # woken by the signal, long before its read's own deadline
