"""The demo city: a small seeded window is consistent on both backends; Live.step writes rows and valid alerts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
import redis
import shapely
from sqlalchemy import Engine, func, select

from services.alerts.schema import normalize_alert
from services.config import Settings
from services.demo.simulator import Live, city_districts, seed, seed_if_empty
from services.store import Application, District, Event, EventDispatch, IndicatorReading, make_sessionmaker
from services.store.catalog import install_catalog, load_indicators

END = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
INDICATOR_CODES = {ind.code for ind in load_indicators()}
EVENT_STATUSES = {"reported", "registered", "cancelled", "dispatched", "in_progress", "feedback", "checking",
                  "closed", "rework"}
APP_STATUSES = {"submitted", "accepted", "in_review", "returned", "approved", "rejected"}
RANGES = {"traffic_congestion_index": (0, 10), "aqi": (0, 500), "hotline_connection_rate": (0, 100),
          "water_pressure": (0, 1), "traffic_avg_speed": (0, 120), "pm25": (0, 500)}


@pytest.fixture
def city(engine: Engine) -> Engine:
    with make_sessionmaker(engine)() as session:
        install_catalog(session, districts=city_districts(Settings(_env_file=None)))
    return engine


def _frame(engine: Engine, *columns: object) -> pd.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(select(*columns))  # type: ignore[call-overload]
        return pd.DataFrame(result.all(), columns=list(result.keys()))


def test_seed_writes_a_consistent_city(city: Engine) -> None:
    report = seed(city, days=2, end=END, progress=False)
    assert all(report.counts[t] > 0 for t in ("events", "event_dispatches", "applications", "indicator_readings"))
    assert report.store_bytes > 0
    assert seed_if_empty(city, days=2, end=END, progress=False) is None

    events = _frame(city, Event.id, Event.status, Event.district, Event.lat, Event.lon, Event.reported_at,
                    Event.sla_due_at, Event.closed_at)
    assert len(events) == report.counts["events"]
    assert set(events["status"]) <= EVENT_STATUSES and {"closed", "cancelled"} <= set(events["status"])
    assert (events["status"] != "closed").sum() > (events["status"] == "cancelled").sum()  # open work near END
    assert (events["reported_at"] <= END).all() and (events["reported_at"] >= END - timedelta(days=2)).all()
    assert (events["closed_at"].dropna() > events.loc[events["closed_at"].notna(), "sla_due_at"]).any()  # overdue
    geoms = {code: shapely.geometry.shape(json.loads(g))
             for code, g in _frame(city, District.adcode, District.geometry).itertuples(index=False)}
    for code, group in events.groupby("district"):
        assert shapely.contains_xy(geoms[code], group["lon"].to_numpy(), group["lat"].to_numpy()).all(), code

    parts = _frame(city, EventDispatch.event_id, EventDispatch.dispatched_at, EventDispatch.accepted_at,
                   EventDispatch.arrived_at, EventDispatch.finished_at)
    assert set(parts["event_id"]) <= set(events["id"])
    assert parts.groupby("event_id").size().between(1, 4).all()
    chain = ["dispatched_at", "accepted_at", "arrived_at", "finished_at"]
    for earlier, later in zip(chain, chain[1:], strict=False):
        both = parts[earlier].notna() & parts[later].notna()
        assert (parts.loc[both, earlier] <= parts.loc[both, later]).all(), (earlier, later)
        assert not (parts[earlier].isna() & parts[later].notna()).any()

    apps = _frame(city, Application.status, Application.rating, Application.return_reason, Application.channel)
    assert set(apps["status"]) <= APP_STATUSES and {"approved", "in_review"} <= set(apps["status"])
    assert apps["rating"].dropna().between(1, 5).all() and apps["return_reason"].notna().any()

    readings = _frame(city, IndicatorReading.indicator_code, IndicatorReading.district, IndicatorReading.ts,
                      IndicatorReading.value)
    aqi = readings[(readings["indicator_code"] == "aqi") & readings["district"].isna()].sort_values("ts")
    steps = aqi["ts"].diff().dropna().unique()
    assert list(steps) == [pd.Timedelta(minutes=5)] and len(aqi) == 2 * 288
    assert readings["district"].nunique() == 6
    for code, (lo, hi) in RANGES.items():
        values = readings.loc[readings["indicator_code"] == code, "value"]
        assert len(values) and values.between(lo, hi).all(), code
    assert np.isfinite(readings["value"]).all()


def test_live_step_writes_rows_and_alerts(city: Engine, settings: Settings,
                                          redis_client: redis.Redis) -> None:
    seed(city, days=0.2, end=END, progress=False)
    live = Live(settings, city, redis_client, rate=5.0, rng_seed=7)
    with city.connect() as conn:
        before = {m: conn.scalar(select(func.count()).select_from(m)) for m in (Event, Application, IndicatorReading)}
    first = live.step(END + timedelta(minutes=20))
    for i in range(1, 4):
        live.step(END + timedelta(minutes=20, seconds=60 * i))
    with city.connect() as conn:
        after = {m: conn.scalar(select(func.count()).select_from(m)) for m in (Event, Application, IndicatorReading)}
        newest = conn.scalar(select(func.max(IndicatorReading.ts)))
    assert after[Event] > before[Event] and after[Application] > before[Application]
    assert first["readings"] >= 4 * 7  # caught up 4 five-minute boundaries per indicator per area
    assert newest == END + timedelta(minutes=20)
    assert first["advanced"] > 0
    entries = redis_client.xrange(settings.alerts_stream)
    assert entries, "no alert published in four minutes at rate 5"
    for _, fields in entries:
        assert normalize_alert(fields)["severity"] in {"extreme", "severe", "moderate", "minor", "unknown"}
        assert datetime.fromisoformat(fields["sent"]).utcoffset() is not None
        if fields["source"] == "simulator":
            assert fields["msg_type"] == "alert" and fields["district"].startswith("3502")
            float(fields["lat"]), float(fields["lon"])
        else:
            assert fields["source"] == "rules" and fields["event"] in INDICATOR_CODES
    assert len({f["id"] for _, f in entries}) == len(entries)


def test_a_quiet_live_step_with_no_new_events_still_writes_readings(city: Engine, settings: Settings,
                                                                     redis_client: redis.Redis) -> None:
    """At a tiny rate most steps draw zero events and applications: the readings must still land."""
    seed(city, days=0.2, end=END, progress=False)
    live = Live(settings, city, redis_client, rate=1e-9, rng_seed=7)
    done = live.step(END + timedelta(minutes=10))
    assert done["events"] == 0 and done["applications"] == 0
    assert done["readings"] >= 2 * 7


def test_live_threshold_alerts_come_from_the_rules_engine_once_per_crossing(city: Engine, settings: Settings,
                                                                             redis_client: redis.Redis) -> None:
    """Readings past a threshold open one alert per indicator and area until they recover, not one per reading."""
    seed(city, days=0.2, end=END, progress=False)
    live = Live(settings, city, redis_client, rate=1e-9, rng_seed=7)
    for minutes in range(5, 65, 5):
        live.step(END + timedelta(minutes=minutes))
    rules = [f for _, f in redis_client.xrange(settings.alerts_stream) if f["source"] == "rules"]
    assert any(f["msg_type"] == "alert" for f in rules)
    open_now: set[tuple[str, str]] = set()
    for f in rules:
        key = (f["event"], f.get("district", ""))
        if f["msg_type"] == "alert":
            assert key not in open_now, f"{key} opened twice without recovering in between"
            open_now.add(key)
        else:
            assert key in open_now, f"{key}: {f['msg_type']} without an open alert"
            if f["msg_type"] == "cancel":
                open_now.discard(key)
        assert normalize_alert(f)
