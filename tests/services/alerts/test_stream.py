"""The alert stream round trip on a real Redis server."""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis

from services.alerts.storm import sent_time
from services.alerts.stream import last_id, publish, read_after, recent

STREAM = "onescreen:alerts"


def _alert(n: int) -> dict[str, str]:
    return {"id": f"a-{n}", "source": "test", "sent": "2026-11-23T10:00:00+08:00", "severity": "severe",
            "urgency": "immediate", "certainty": "observed", "category": "met", "event": "暴雨",
            "headline": f"第{n}条预警"}


def test_publish_then_read_after_resumes_exactly(redis_client, redis_url):
    ids = [publish(redis_client, STREAM, _alert(n), maxlen=1000) for n in range(5)]

    async def read(after: str) -> list[tuple[str, dict[str, str]]]:
        client = aioredis.Redis.from_url(redis_url, decode_responses=True)
        try:
            return await read_after(client, STREAM, after, block_ms=100)
        finally:
            await client.aclose()

    everything = asyncio.run(read("0-0"))
    assert [entry_id for entry_id, _ in everything] == ids
    assert everything[2][1]["headline"] == "第2条预警"
    resumed = asyncio.run(read(ids[2]))
    assert [entry_id for entry_id, _ in resumed] == ids[3:]
    assert asyncio.run(read(ids[-1])) == []


def test_recent_is_oldest_first_and_trim_keeps_the_newest(redis_client):
    ids = [publish(redis_client, STREAM, _alert(n), maxlen=10) for n in range(300)]
    shown = recent(redis_client, STREAM, 3)
    assert [entry_id for entry_id, _ in shown] == ids[-3:]
    assert last_id(redis_client, STREAM) == ids[-1]
    assert redis_client.xlen(STREAM) < 300  # MAXLEN ~ trims in whole macro-nodes
    assert last_id(redis_client, "onescreen:empty") == "0-0"


def test_recent_skips_an_entry_that_breaks_the_contract(redis_client):
    """issue 17 point 1: a fresh /wall rendered blank (the page-router callback answered 500) while an entry whose
    `sent` overflows UTC was among the stream's recent entries."""
    first = publish(redis_client, STREAM, _alert(1), maxlen=1000)
    for poison in ({**_alert(2), "sent": "9999-12-31T23:59:59-14:00"}, {**_alert(3), "headline": "a\x00b"},
                   {"id": "only-an-id"}):
        publish(redis_client, STREAM, poison, maxlen=1000)
    last = publish(redis_client, STREAM, _alert(4), maxlen=1000)
    assert [entry_id for entry_id, _ in recent(redis_client, STREAM, 10)] == [first, last]


def test_sent_time_is_none_for_a_date_that_does_not_fit_utc():
    assert sent_time({"sent": "9999-12-31T23:59:59-14:00"}) is None
    assert sent_time({"sent": "0001-01-01T00:00:00+14:00"}) is None
    assert sent_time({"sent": "2026-11-23T10:00:00+08:00"}).hour == 2  # type: ignore[union-attr]
