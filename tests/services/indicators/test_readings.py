"""services.indicators.readings: the one write path for readings — store, invalidate the cache, rules, alert stream."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
import redis
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from services.alerts.stream import recent
from services.config import Settings
from services.demo.simulator import city_districts
from services.indicators.queries import kpi_strip
from services.indicators.readings import load_rules, record_readings
from services.indicators.rules import status_change
from services.store import IndicatorReading, make_sessionmaker
from services.store.cache import LocalQueryCache
from services.store.catalog import install_catalog

HULI = "350206"
T0 = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def city(engine: Engine, settings: Settings) -> Engine:
    with Session(engine) as session:
        install_catalog(session, districts=city_districts(settings))
    return engine


def _count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(IndicatorReading)) or 0)


def test_a_crossing_alerts_once_and_the_recovery_resolves_it(
    city: Engine, settings: Settings, redis_client: redis.Redis
) -> None:
    rules = load_rules(city, settings)
    cache = LocalQueryCache()
    sessions = make_sessionmaker(city, cache)
    with sessions() as session:
        assert kpi_strip(session=session, codes=["aqi"], now=T0)[0].status == "nodata"  # now cached

    def record(minutes: int, value: float) -> tuple[str, ...]:
        batch = [("aqi", None, T0 + timedelta(minutes=minutes), value)]
        done = record_readings(batch, engine=city, redis_client=redis_client, settings=settings, rules=rules,
                               cache=cache)
        assert done.stored == 1
        return done.alert_ids

    assert len(record(0, 260.0)) == 1
    with sessions() as session:
        card = kpi_strip(session=session, codes=["aqi"], now=T0)[0]
    assert (card.value, card.status) == (260.0, "alarm"), "the write invalidated the cached strip"
    assert record(5, 199.5) == () and record(10, 230.0) == (), "hovering at the threshold raises nothing"
    assert len(record(15, 40.0)) == 1

    entries = recent(redis_client, settings.alerts_stream, 10)
    alert, cancel = (fields for _id, fields in entries)
    assert (alert["msg_type"], alert["severity"], alert["event"]) == ("alert", "severe", "aqi")
    assert (cancel["msg_type"], cancel["references"]) == ("cancel", alert["id"])
    assert [status_change(f) for _id, f in entries] == [("aqi", None, "alarm"), ("aqi", None, "normal")]
    assert _count(city) == 4


def test_a_bad_batch_is_refused_whole_with_the_reading_named(
    city: Engine, settings: Settings, redis_client: redis.Redis
) -> None:
    rules = load_rules(city, settings)
    good = ("aqi", HULI, T0, 300.0)
    for bad, reason in (
        (("nope", None, T0, 1.0), "unknown indicator code 'nope'"),
        (("aqi", "999999", T0, 1.0), "unknown district '999999'"),
        (("aqi", None, T0, float("nan")), "finite number"),
        (("aqi", None, T0, "12"), "finite number"),
        (("aqi", None, datetime(2026, 6, 1), 1.0), "timezone-aware"),
    ):
        with pytest.raises(ValueError, match=reason):
            record_readings([good, bad], engine=city, redis_client=redis_client, settings=settings, rules=rules)
    with pytest.raises(ValueError, match="lack column"):
        record_readings(pd.DataFrame({"ts": [T0]}), engine=city, redis_client=redis_client, settings=settings,
                        rules=rules)  # fmt: skip
    assert _count(city) == 0 and recent(redis_client, settings.alerts_stream, 10) == []


def test_newest_only_judges_where_each_series_ends(
    city: Engine, settings: Settings, redis_client: redis.Redis
) -> None:
    frame = pd.DataFrame(
        {
            "indicator_code": ["aqi", "aqi", "aqi", "water_pressure"],
            "district": [HULI, HULI, HULI, None],
            "ts": pd.to_datetime([T0, T0 + timedelta(minutes=5), T0 + timedelta(minutes=10), T0], utc=True),
            "value": [320.0, 310.0, 60.0, 0.1],
        }
    )
    done = record_readings(frame, engine=city, redis_client=redis_client, settings=settings,
                           rules=load_rules(city, settings), newest_only=True)  # fmt: skip
    assert done.stored == 4
    assert [(c.code, c.district, c.status) for c in
            (status_change(f) for _id, f in recent(redis_client, settings.alerts_stream, 10))] == [
        ("water_pressure", None, "alarm")]  # fmt: skip

    later = frame[frame.indicator_code == "aqi"].assign(ts=frame["ts"] + timedelta(hours=1))
    every = record_readings(later, engine=city, redis_client=redis_client, settings=settings,
                            rules=load_rules(city, settings))  # fmt: skip
    changes = [status_change(f) for _id, f in recent(redis_client, settings.alerts_stream, 10)][1:]
    assert len(every.alert_ids) == 2 and [(c.code, c.status) for c in changes] == [("aqi", "alarm"), ("aqi", "normal")]
