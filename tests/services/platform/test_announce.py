"""The runtime's cache announces commits that wrote what walls draw live (the events), and only those, on the
alerts' status stream; a Redis that cannot take the signal costs the write nothing."""

from __future__ import annotations

import redis

from services.alerts import status_stream, wrote
from services.platform.announce import AnnouncingCache
from services.store.cache import LocalQueryCache

STREAM = "announce-test:alerts"


def _signals(client: redis.Redis) -> list[dict[str, str]]:
    return [{str(k): str(v) for k, v in fields.items()} for _id, fields in client.xrange(status_stream(STREAM))]


def test_a_write_of_events_is_announced_and_a_write_of_readings_is_not(redis_client):  # type: ignore[no-untyped-def]
    redis_client.delete(status_stream(STREAM))
    cache = AnnouncingCache(LocalQueryCache(), redis_client, STREAM)
    cache.invalidate(["indicator_readings"])
    cache.invalidate(["event_dispatches", "events", "audit_log"])
    (signal,) = _signals(redis_client)
    assert signal == {"kind": "written", "tables": "event_dispatches,events"}
    assert wrote(signal, "events") and not wrote(signal, "indicator_readings")


def test_an_unreachable_redis_leaves_the_invalidation_done():  # type: ignore[no-untyped-def]
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    inner = LocalQueryCache()
    forgotten: list[set[str]] = []
    inner.invalidate = lambda tables: forgotten.append(set(tables))  # type: ignore[method-assign]
    AnnouncingCache(inner, dead, STREAM).invalidate(["events"])
    assert forgotten == [{"events"}]
