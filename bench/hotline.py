"""How fast the hotline answers at 3 million work orders: hot topics of a busy week, and the /hotline page's callbacks.

    python bench/hotline.py [--rows 3000000] [--database-url URL] [--repeat 20] [--keep] [--out PATH]

Builds (or reuses, when it already holds at least 98 % of --rows orders) a PostgreSQL store (its own database,
`onescreen_bench_hotline` by default, created when missing and dropped at the end unless --keep) with the shipped
catalog and --rows work orders from the demo city's hotline generator (services.demo.hotline_traffic: channels,
repeat callers, a burst a week, the lifecycle with 回复 / 回访 / reopening and 督办), about 50 000 a week, each
with its event and dispatches, and 1.5 calls per order, loaded with COPY (services.store.bulkload) with the indexes
dropped during the load. Then measures:
- hot_topics_week: the page's hot topics (services.hotline.topics) for the newest week (about 50 000 orders)
  against the week before: the orders' terms, cut on arrival and stored (services.hotline.terms; the loader cuts
  them as intake does), counted and scored; cold (the process's segmentation cache emptied: the first view after
  a restart), issue 21's budget 5 s; hot_topics_week_warm: the page's ten-minute topics cache expired, the
  segmentation cache kept (every later refresh);
- the /hotline page's callbacks through their data path (bench/_hotline_page.py), cold and warm, budget 200 ms p95
  (the page reads the hourly rollup, services.hotline.rollup: the load runs with its triggers suspended and one
  rebuild after; a store built before migration 0021 is filled by the migration when reused);
- rollup_write_one: one order's 回访 written in its own transaction, a round trip of two writes (recorded, put
  back), each refreshing the order's hour in the rollup by trigger.
The load average after the run and each figure's spread (min, max) are in the result, as the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from _hotline_page import ORDER as PAGE_ORDER
from _hotline_page import page_figures
from _report import write
from _store import database_version, figure, merge, open_store, timed
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url

from services import hotline
from services.citypack import load_pack
from services.config import DEFAULT_PACK, Settings
from services.demo import hotline_traffic
from services.demo.simcity import DAY, event_rows, sim_city
from services.demo.simulator import city_districts
from services.events import rollup as dispatch_rollup
from services.events import touch as event_touch
from services.hotline import rollup as hotline_rollup
from services.hotline.figures import TOPICS_CACHE
from services.hotline.topics import Topic, forget
from services.store import (
    Event,
    EventDispatch,
    HotlineCall,
    Supervision,
    WorkOrder,
    bulkload,
    make_sessionmaker,
    rollups,
)
from services.store.cache import LocalQueryCache
from services.store.catalog import install_catalog

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/onescreen_bench_hotline"
RESULTS = Path(__file__).resolve().parent / "results"
ORDERS_PER_DAY = 50_000 / 7
CALLS_PER_ORDER = 1.5
CHUNK = 200_000
TABLES = ["events", "event_dispatches", "work_orders", "supervisions", "hotline_calls"]
BUDGETS: dict[str, float] = {"hot_topics_week": 5000, "hot_topics_week_warm": 5000, "rollup_write_one": 200}
ORDER = ["hot_topics_week", "hot_topics_week_warm", "rollup_write_one"]


def build(engine: Engine, rows: int) -> tuple[int, float | None]:
    """(orders in the store, load seconds or None when reused)."""
    pack = load_pack(DEFAULT_PACK)
    sim = sim_city(pack)
    with make_sessionmaker(engine)() as session:
        install_catalog(session, districts=city_districts(Settings(_env_file=None)))
        session.commit()
        present = session.scalar(select(func.count()).select_from(WorkOrder)) or 0
    if present >= 0.98 * rows:
        return present, None
    began = time.perf_counter()
    with engine.begin() as conn:
        for table in reversed(TABLES):
            conn.execute(text(f"TRUNCATE {table} CASCADE"))
    rng = np.random.default_rng(20261123)
    codes, geoms = list(pack.city.adcodes), list(pack.city.districts.geometry)
    names = pack.city.names("zh-CN")
    secret = Settings(_env_file=None).secret_key
    end = datetime.now(UTC).timestamp()
    start = end - rows / ORDERS_PER_DAY * DAY
    loaded, next_id = 0, 1
    with (rollups.suspended(engine, dispatch_rollup.ROLLUP, hotline_rollup.ROLLUP),
          bulkload.prepared_for_load(engine, TABLES), event_touch.suspended_for_load(engine)):
        while loaded < rows:
            n = min(CHUNK, rows - loaded)
            lo = start + (end - start) * loaded / rows
            hi = min(start + (end - start) * (loaded + n) / rows, end)
            events, dispatches = event_rows(rng, lo, hi, n, codes, geoms, next_id, sim)
            events["source"] = "hotline"
            for burst in hotline_traffic.bursts(lo, hi, codes, sim, 20261123):
                more, parts = hotline_traffic.burst_events(rng, burst, lo, hi, codes, geoms,
                                                           next_id + len(events), sim)
                events, dispatches = pd.concat([events, more], ignore_index=True), pd.concat([dispatches, parts])
            next_id += len(events)
            orders = hotline_traffic.make_orders(rng, events, dispatches, end, names, sim, secret)
            sups = hotline_traffic.supervisions(rng, orders, events, dispatches, end)
            calls = hotline_traffic.call_rows(
                rng, hotline_traffic.call_times(rng, lo, hi, int(len(orders) * CALLS_PER_ORDER), sim.zone),
                sim.zone, loaded, events["reporter_phone"].to_numpy(dtype=object))
            known = calls["caller"].notna().to_numpy()
            calls["caller_key"] = None
            calls.loc[known, "caller_key"] = hotline_traffic.caller_keys(calls["caller"].to_numpy()[known], secret)
            for model, frame in ((Event, events), (EventDispatch, dispatches), (WorkOrder, orders),
                                 (Supervision, sups), (HotlineCall, calls.drop(columns="caller"))):
                bulkload.bulk_insert(engine, model, list(frame.columns), frame)
            loaded += len(orders)
            print(f"\rloaded {loaded:>10,} orders ({time.perf_counter() - began:.0f} s)", end="", flush=True)
    print()
    for model in (Event, Supervision, HotlineCall):
        bulkload.sync_id_sequence(engine, model)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    return loaded, round(time.perf_counter() - began, 1)


def topic_figures(engine: Engine, database: str, repeat: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The page's hot topics (services.hotline.topics: the newest week's texts against the week before's, read,
    segmented, scored): cold (the segmentation cache emptied: the first view after a start) and warm (the page's
    ten-minute topics cache expired, the segmentation kept)."""
    pack = load_pack(DEFAULT_PACK)
    ignore = frozenset(pack.city.names("zh-CN").values())
    cache = LocalQueryCache()
    sessions = make_sessionmaker(engine, cache)
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    week = hotline.HotlineFilter(end - timedelta(days=7), end)
    found: list[Topic] = []

    def run() -> None:
        nonlocal found
        with sessions() as session:
            found = hotline.topics(session=session, filters=week, ignore=ignore)

    def expire() -> None:
        cache.invalidate(TOPICS_CACHE.tables)

    def restart() -> None:
        expire()
        forget()

    cold = timed(run, max(3, repeat // 4), before=restart)
    warm = timed(run, repeat, before=expire)
    with sessions() as session:
        orders = session.scalar(select(func.count()).select_from(Event).join(WorkOrder, WorkOrder.event_id == Event.id)
                                .where(Event.reported_at >= week.start, Event.reported_at < week.end))
    params = {"week_orders": orders, "top_terms": [(t.term, t.count, t.previous) for t in found[:5]]}
    return [figure("hot_topics_week", database, cold, BUDGETS),
            figure("hot_topics_week_warm", database, warm, BUDGETS)], params


def write_figures(engine: Engine, database: str, repeat: int) -> list[dict[str, Any]]:
    """What the rollup's upkeep adds to a write: one of the newest orders' 回访 recorded (reached, satisfied), each
    in its own transaction, the triggers refreshing its hour's cells; the order is put back after each."""
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        newest = session.scalars(select(WorkOrder.event_id).join(Event, Event.id == WorkOrder.event_id)
                                 .where(Event.reported_at > datetime.now(UTC) - timedelta(days=1))
                                 .order_by(Event.reported_at.desc()).limit(repeat)).all()
    turn = iter(range(10**9))
    before: dict[int, tuple[Any, ...]] = {}

    def pick() -> None:
        with sessions() as session:
            order = session.get_one(WorkOrder, newest[next(turn) % len(newest)])
            before[order.event_id] = (order.followed_up_at, order.reached, order.satisfaction)

    def follow_up() -> None:
        with sessions() as session:
            order = session.get_one(WorkOrder, next(iter(before)))
            order.followed_up_at, order.reached, order.satisfaction = datetime.now(UTC), True, "satisfied"
            session.commit()

    def put_back() -> None:
        with sessions() as session:
            key, values = before.popitem()
            order = session.get_one(WorkOrder, key)
            order.followed_up_at, order.reached, order.satisfaction = values
            session.commit()

    def measured() -> None:
        follow_up()
        put_back()

    return [figure("rollup_write_one", database, timed(measured, repeat, before=pick), BUDGETS)]


def drop_database(url: str) -> None:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the bench's database for another run")
    parser.add_argument("--out", type=Path, default=RESULTS / "hotline.json")
    args = parser.parse_args()
    engine = open_store(args.database_url)
    database = database_version(engine)
    orders, load_seconds = build(engine, args.rows)
    print(f"{orders:,} orders ({'reused' if load_seconds is None else f'loaded in {load_seconds} s'}); "
          f"load average {os.getloadavg()}")
    figures, params = topic_figures(engine, database, args.repeat)
    more, budgets = page_figures(engine, database, args.repeat)
    figures += more + write_figures(engine, database, args.repeat)
    BUDGETS.update(budgets)
    print(f"{'figure':<34}{'p50':>10}{'p95':>10}{'budget':>10}")
    for f in figures:
        print(f"{f['name']:<34}{f['p50']:>10}{f['p95']:>10}{f['budget_p95']:>10}")
    run = {"rows": orders, "load_seconds": load_seconds, "load_average_after": [round(v, 2) for v in
                                                                                  os.getloadavg()], **params}
    write(args.out, merge(args.out, "hotline", database, run, figures, ORDER + PAGE_ORDER,
                          {"calls_per_order": CALLS_PER_ORDER, "orders_per_day": round(ORDERS_PER_DAY)},
                          keep_load_seconds=True))
    engine.dispose()
    if not args.keep:
        drop_database(args.database_url)


if __name__ == "__main__":
    main()
