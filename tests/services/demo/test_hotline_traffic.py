"""The demo city's hotline: the seed's work orders and calls look like a hotline's (rhythm, channels, repeats, a
burst, the lifecycle), and the live feed enters orders and calls through the intake the endpoints use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
import redis
from sqlalchemy import Engine, func, select

from services.citypack import load_pack
from services.config import DEFAULT_PACK, Settings
from services.demo import hotline_traffic
from services.demo.simcity import DAY, local_hours, sim_city
from services.demo.simulator import Live, city_districts, seed
from services.hotline.readings import epoch_seconds
from services.hotline.topics import hot_topics
from services.store import Event, HotlineCall, Supervision, WorkOrder, make_sessionmaker
from services.store.catalog import install_catalog

END = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
PACK = load_pack(DEFAULT_PACK)
SIM = sim_city(PACK)


@pytest.fixture
def city(engine: Engine) -> Engine:
    with make_sessionmaker(engine)() as session:
        install_catalog(session, districts=city_districts(Settings(_env_file=None)))
        session.commit()
    return engine


def _frame(engine: Engine, query: object) -> pd.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(query)  # type: ignore[call-overload]
        frame = pd.DataFrame(result.all(), columns=list(result.keys()))
    for column in frame.columns:
        if column.endswith("_at"):
            frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def test_the_seed_fills_a_hotline(city: Engine) -> None:
    report = seed(city, days=15, end=END, progress=False, applications_per_day=10)
    assert report.counts["work_orders"] > 2000 and report.counts["hotline_calls"] > 15_000
    orders = _frame(city, select(WorkOrder, Event.category, Event.subcategory, Event.district, Event.lat,
                                 Event.lon, Event.status, Event.reported_at, Event.sla_due_at, Event.closed_at,
                                 Event.description).join(Event, Event.id == WorkOrder.event_id))
    shares = orders["channel"].value_counts(normalize=True)
    assert set(shares.index) == set(hotline_traffic.CHANNELS) and shares.idxmax() == "phone" and shares["phone"] > 0.6
    # the lifecycle as it stands at END: replies, follow-ups with verdicts, reopenings, overdue, 督办
    assert orders["replied_at"].notna().mean() > 0.5 and (orders["replied_at"].dropna() <= END).all()
    followed = orders[orders["followed_up_at"].notna()]
    assert set(followed["satisfaction"].dropna()) == {"satisfied", "basic", "dissatisfied"}
    assert (followed["followed_up_at"] >= followed["closed_at"].fillna(followed["followed_up_at"])).all()
    assert (orders["reopened"] > 0).equals(orders["satisfaction"] == "dissatisfied")
    assert (orders.loc[orders["status"] == "rework", "reopened"] > 0).any()
    assert ((orders["closed_at"] > orders["sla_due_at"]) | (orders["closed_at"].isna()
                                                             & (orders["sla_due_at"] < END))).any()
    sups = _frame(city, select(Supervision.subject_id, Supervision.status, Supervision.created_at))
    assert set(sups["status"]) == {"open", "replied"} and set(sups["subject_id"].astype(int)) <= set(orders["event_id"])
    # repeats: the same caller about the same place and problem, days later
    by_id = orders.set_index("event_id")
    repeats = orders[orders["repeat_of"].notna()]
    assert 0.04 < len(repeats) / len(orders) < 0.12
    first = by_id.loc[repeats["repeat_of"].astype(int)]
    for column in ("caller_key", "category", "subcategory", "district", "lat", "lon"):
        assert (first[column].to_numpy() == repeats[column].to_numpy()).all(), column
    gap = pd.Series(repeats["reported_at"].to_numpy() - first["reported_at"].to_numpy())
    assert gap.gt(pd.Timedelta(0)).all() and gap.le(pd.Timedelta(days=hotline_traffic.REPEAT_DAYS)).all()
    # a week's burst: one district, one problem, one local day; the week's hot topics put it in the top three
    burst = [b for b in hotline_traffic.bursts(END.timestamp() - 8 * DAY, END.timestamp(), PACK.city.adcodes,
                                               SIM, 20261123) if b.start + DAY <= END.timestamp()][-1]
    at = epoch_seconds(orders["reported_at"])
    that_day = (at >= burst.start) & (at < burst.start + DAY)
    about = orders["description"].str.contains(burst.problem) & (orders["district"] == burst.district)
    assert (about & that_day).sum() > 5 * (about & ~that_day).sum() / 14
    this_week = (at > burst.start - 3 * DAY) & (at <= burst.start + 4 * DAY)
    last_week = (at > burst.start - 10 * DAY) & (at <= burst.start - 3 * DAY)
    ranked = hot_topics(list(orders.loc[this_week, "description"]), list(orders.loc[last_week, "description"]),
                        top=3, ignore=frozenset(PACK.city.names().values()))
    assert burst.problem in [topic.term for topic in ranked], (burst, ranked)
    # calls: busy office hours, quiet nights; longer waits and more hang-ups at the peak
    calls = _frame(city, select(HotlineCall.started_at, HotlineCall.wait_s, HotlineCall.answered))
    hours, _ = local_hours(epoch_seconds(calls["started_at"]), SIM.zone)
    peak, night = (hours >= 9) & (hours < 11), (hours >= 2) & (hours < 4)
    assert peak.sum() > 5 * night.sum()
    assert calls.loc[peak, "wait_s"].mean() > calls.loc[night, "wait_s"].mean()
    assert 0.85 < calls["answered"].mean() < 0.99


def test_live_orders_and_calls_enter_through_the_intake(city: Engine, settings: Settings,
                                                        redis_client: redis.Redis) -> None:
    seed(city, days=1, end=END, progress=False, applications_per_day=10)
    with city.connect() as conn:
        before = conn.scalar(select(func.count()).select_from(WorkOrder))
    live = Live(settings, city, redis_client, rate=60.0, rng_seed=3)
    for i in range(6):
        live.step(END + timedelta(seconds=60 * (i + 1)))
    new = _frame(city, select(WorkOrder.channel, WorkOrder.token, WorkOrder.caller_key, Event.source,
                              Event.description, Event.district, Event.reported_at)
                 .join(Event, Event.id == WorkOrder.event_id).where(Event.reported_at > END))
    assert len(new) > 0 and len(new) + before == _frame(city, select(func.count().label("n")).select_from(
        WorkOrder))["n"][0]
    assert set(new["source"]) == {hotline_traffic.SOURCE} and new["token"].str.len().eq(32).all()
    assert set(new["channel"]) <= set(hotline_traffic.CHANNELS) and new["caller_key"].str.len().eq(24).all()
    assert new["district"].notna().all() and new["description"].str.endswith("。").all()
    stray = _frame(city, select(Event.id).outerjoin(WorkOrder, WorkOrder.event_id == Event.id)
                   .where(Event.reported_at > END, Event.source == "hotline", WorkOrder.event_id.is_(None)))
    assert stray.empty  # the live hotline's events all came with their work order
    calls = _frame(city, select(HotlineCall.source, HotlineCall.started_at).where(HotlineCall.started_at > END))
    assert len(calls) > 0 and set(calls["source"]) == {hotline_traffic.SOURCE}
