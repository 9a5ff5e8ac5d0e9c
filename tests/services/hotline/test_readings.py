"""The wall's hotline indicators are measured from the stored orders, calls and 督办: what the job writes equals a
plain pandas recomputation from the rows, the seeded history says the same at its last moment, and the job writes
each cadence boundary once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
import redis
from sqlalchemy import Engine, select

from services.config import Settings
from services.demo.simulator import city_districts, seed
from services.hotline.readings import INDICATORS, HotlineReadingsJob, refresh_readings
from services.store import (
    Event,
    HotlineCall,
    IndicatorReading,
    Supervision,
    WorkOrder,
    make_sessionmaker,
)
from services.store.catalog import install_catalog

END = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # a Monday, 14:00 in the city: the lines are busy
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    with make_sessionmaker(engine)() as session:
        install_catalog(session, districts=city_districts(Settings(_env_file=None)))
        session.commit()
    seed(engine, days=4, end=END, progress=False, events_per_day=600, applications_per_day=10)
    return engine


def _frame(engine: Engine, query: object) -> pd.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(query)  # type: ignore[call-overload]
        frame = pd.DataFrame(result.all(), columns=list(result.keys()))
    for column in frame.columns:
        if column.endswith("_at"):
            frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def _recomputed(engine: Engine, now: datetime) -> dict[tuple[str, str | None], float]:
    """Each indicator by its definition, row by row in pandas, from whole tables."""
    calls = _frame(engine, select(HotlineCall.started_at, HotlineCall.answered))
    hour = calls[(calls["started_at"] > now - HOUR) & (calls["started_at"] <= now)]
    found: dict[tuple[str, str | None], float] = {("hotline_calls", None): float(len(hour))}
    if len(hour):
        found[("hotline_connection_rate", None)] = 100 * hour["answered"].mean()
    orders = _frame(engine, select(WorkOrder.event_id, WorkOrder.followed_up_at, WorkOrder.reached,
                                   WorkOrder.satisfaction, Event.district, Event.status, Event.reported_at,
                                   Event.sla_due_at, Event.closed_at).join(Event, Event.id == WorkOrder.event_id))
    orders = orders[(orders["status"] != "cancelled") & (orders["reported_at"] <= now)]
    sups = _frame(engine, select(Supervision.subject, Supervision.subject_id, Supervision.status,
                                 Supervision.created_at))
    watched = {int(s) for s in sups.loc[(sups["subject"] == "event") & (sups["status"] == "open")
                                        & (sups["created_at"] <= now), "subject_id"]}
    for district in [None, *sorted(orders["district"].unique())]:
        mine = orders if district is None else orders[orders["district"] == district]
        closed = (mine["status"] == "closed") & (mine["closed_at"] <= now)
        recent = closed & (mine["closed_at"] > now - DAY)
        if recent.any():
            on_time = mine.loc[recent, "closed_at"] <= mine.loc[recent, "sla_due_at"]
            found[("hotline_ontime_rate", district)] = 100 * on_time.mean()
        judged = ((mine["followed_up_at"] > now - DAY) & (mine["followed_up_at"] <= now)
                  & mine["reached"].fillna(False).astype(bool) & mine["satisfaction"].notna())
        if judged.any():
            found[("hotline_satisfaction", district)] = 100 * mine.loc[judged, "satisfaction"].isin(
                ["satisfied", "basic"]).mean()
        still_open = ~closed
        found[("hotline_open_orders", district)] = float(still_open.sum())
        found[("hotline_overdue_orders", district)] = float((still_open & (mine["sla_due_at"] <= now)).sum())
        found[("hotline_supervised_orders", district)] = float(mine["event_id"].isin(watched).sum())
    return {key: round(value, 3) for key, value in found.items()}


def _stored(engine: Engine, at: datetime) -> dict[tuple[str, str | None], float]:
    rows = _frame(engine, select(IndicatorReading.indicator_code, IndicatorReading.district,
                                 IndicatorReading.value).where(IndicatorReading.ts == at,
                                                               IndicatorReading.indicator_code.in_(INDICATORS)))
    return {(code, district if isinstance(district, str) else None): round(float(value), 3)
            for code, district, value in rows.itertuples(index=False)}


def test_the_readings_equal_a_recomputation_from_the_rows(seeded: Engine, settings: Settings,
                                                          redis_client: redis.Redis) -> None:
    seeded_last = _stored(seeded, END)  # the seed's history at its last boundary, from the frames it generated
    expected = _recomputed(seeded, END)
    assert expected[("hotline_calls", None)] > 0 and expected[("hotline_open_orders", None)] > 0
    assert expected[("hotline_overdue_orders", None)] > 0 and expected[("hotline_supervised_orders", None)] > 0
    assert seeded_last == pytest.approx(expected)

    moment = END - timedelta(hours=5, minutes=7)  # not a boundary: only what refresh writes is there
    done = refresh_readings(engine=seeded, sessions=make_sessionmaker(seeded), redis_client=redis_client,
                            settings=settings, now=moment, force=True)
    assert done.stored == len(_stored(seeded, moment))
    assert _stored(seeded, moment) == pytest.approx(_recomputed(seeded, moment))


def test_the_job_writes_each_boundary_once(seeded: Engine, settings: Settings, redis_client: redis.Redis) -> None:
    job = HotlineReadingsJob(settings, seeded, make_sessionmaker(seeded), redis_client)
    assert job.run_once(END + timedelta(minutes=3)).stored == 0  # the seed wrote END's boundary already
    later = END + timedelta(minutes=16)
    first = job.run_once(later)
    assert first.stored > 0 and job.run_once(later + timedelta(minutes=1)).stored == 0
    boundary = END + timedelta(minutes=15)
    assert {code for code, _ in _stored(seeded, boundary)} == set(INDICATORS)
