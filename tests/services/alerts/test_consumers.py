"""issue 17 point 9: a dead persist worker's batch is claimed at once (not after a minute) and dead consumer names
leave the group, on a real Redis and both databases."""

from __future__ import annotations

import time

import redis
from sqlalchemy import Engine

from services.alerts.consumers import Liveness
from services.alerts.persist import GROUP, PersistWorker
from services.alerts.stream import publish
from services.config import Settings
from tests.services.alerts.data import alert, stored


def consumers(settings: Settings, client: redis.Redis) -> dict[str, int]:
    return {found["name"]: found["pending"] for found in client.xinfo_consumers(settings.alerts_stream, GROUP)}


def test_a_dead_consumers_batch_is_claimed_at_once_and_its_name_removed(
    settings: Settings, engine: Engine, redis_client: redis.Redis
) -> None:
    survivor = PersistWorker(settings, engine, redis_client, consumer="survivor", claim_every_s=0, alive_s=0.2)
    for name in ("D1", "D2"):
        publish(redis_client, settings.alerts_stream, alert(name), settings.stream_maxlen)
    redis_client.xreadgroup(GROUP, "crashed", {settings.alerts_stream: ">"}, count=10)  # and then it died
    Liveness(redis_client, settings.alerts_stream, GROUP, "living", 60).beat()
    redis_client.xgroup_createconsumer(settings.alerts_stream, GROUP, "living")
    time.sleep(0.3)  # longer than the heartbeat, far shorter than the minute a living consumer is given

    while survivor.run_once(block_ms=10) > 0:
        pass
    assert set(stored(engine)) == {"D1", "D2"}
    survivor.run_once(block_ms=10)  # the next sweep: the dead consumer holds nothing now
    assert consumers(settings, redis_client) == {"survivor": 0, "living": 0}


def test_a_living_consumers_batch_waits_for_the_idle_time(
    settings: Settings, engine: Engine, redis_client: redis.Redis
) -> None:
    survivor = PersistWorker(settings, engine, redis_client, consumer="survivor", claim_every_s=0, alive_s=0.2)
    publish(redis_client, settings.alerts_stream, alert("L1"), settings.stream_maxlen)
    Liveness(redis_client, settings.alerts_stream, GROUP, "busy", 60).beat()
    redis_client.xreadgroup(GROUP, "busy", {settings.alerts_stream: ">"}, count=10)
    time.sleep(0.3)
    while survivor.run_once(block_ms=10) > 0:
        pass
    assert stored(engine) == {} and consumers(settings, redis_client)["busy"] == 1


def test_an_entry_trimmed_while_a_dead_consumer_held_it_is_reported(
    settings: Settings, engine: Engine, redis_client: redis.Redis
) -> None:
    """Redis 7 drops such an entry from the claim without a word: it goes to the dead letters, never silently."""
    survivor = PersistWorker(settings, engine, redis_client, consumer="survivor", min_idle_ms=0, claim_every_s=0)
    stream_id = publish(redis_client, settings.alerts_stream, alert("T1"), settings.stream_maxlen)
    redis_client.xreadgroup(GROUP, "crashed", {settings.alerts_stream: ">"}, count=10)
    redis_client.xdel(settings.alerts_stream, stream_id)
    while survivor.run_once(block_ms=10) > 0:
        pass
    [(_, letter)] = redis_client.xrange(settings.dead_letter_stream)
    assert letter["stream_id"] == stream_id and "trimmed" in letter["reason"]
