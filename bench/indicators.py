"""How fast the wall's KPI strip and the analyst's district drill-down answer over a large reading history.

    python bench/indicators.py [--rows 5000000] [--database-url URL] [--warm 200] [--cold 100] [--out PATH]

Builds (or reuses, when it already holds ≥ --rows readings) a store with the shipped catalog, the city's districts
and `--rows` indicator readings: every indicator of the catalog, for the city and each district, every 5 minutes
back from now, bulk loaded (services.store.bulkload). Default store: a SQLite file under /tmp; a PostgreSQL URL names a
dedicated database, created when missing (never the `test` database). Measured, anchored at the newest reading:
- kpi_strip_warm: `kpi_strip` of the wall's codes, answered from the cache;
- kpi_strip_cold: the same with the cache invalidated before each call;
- drill_down: what a click on /indicators runs, `services.indicators.views.drill_down` (`latest_by_district` + hourly
  `series` of one district over 7 days + `compare_districts` over 7 days), cache invalidated, rotating over the
  wall's codes and the districts.
Each call opens its own session, as a request does. The figures of a database replace that database's earlier ones
in --out, so one file holds the SQLite and the PostgreSQL runs (figures carry a "database" field).
"""

from __future__ import annotations

import argparse
import time
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from _report import write
from _store import database_version, figure, merge, open_store, timed
from sqlalchemy import Engine, func, select, text

from services.config import Settings
from services.demo.simulator import city_districts
from services.indicators.queries import CACHE, kpi_strip
from services.indicators.views import drill_down
from services.store import District, Indicator, IndicatorReading, bulkload, make_sessionmaker
from services.store.cache import LocalQueryCache
from services.store.catalog import install_catalog

WALL_CODES = (
    "traffic_congestion_index", "aqi", "metro_ridership", "power_load", "police_incidents", "hotline_calls",
    "gov_ontime_rate", "crowd_gulangyu",
)  # fmt: skip
BUDGETS = {"kpi_strip_warm": 50, "kpi_strip_cold": 300, "drill_down": 150}
STEP = timedelta(minutes=5)
DEFAULT_URL = "sqlite:////tmp/onescreen-bench/indicators.db"
RESULTS = Path(__file__).resolve().parent / "results"


def readings_frame(
    code: str, base: float, areas: list[str | None], per_area: int, end: datetime
) -> pd.DataFrame:
    """`per_area` readings of `code` per area, every 5 minutes back from `end`: a daily wave plus noise."""
    rng = np.random.default_rng(zlib.crc32(code.encode()))
    stamps = pd.date_range(end=end, periods=per_area, freq=STEP)
    hours = (stamps.hour + stamps.minute / 60).to_numpy()
    wave = 1 + 0.25 * np.sin((hours - 8) / 24 * 2 * np.pi)
    frames = [
        pd.DataFrame({
            "indicator_code": code, "district": district, "ts": stamps,
            "value": np.round(base * wave * (1 + rng.normal(0, 0.05, per_area)), 3),
        })
        for district in areas
    ]  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def build(engine: Engine, rows: int) -> tuple[int, float | None]:
    """(readings in the store, load seconds or None when reused). Loads afresh when fewer than `rows` exist."""
    with make_sessionmaker(engine)() as session:
        install_catalog(session, districts=city_districts(Settings(_env_file=None)))
        present = session.scalar(select(func.count()).select_from(IndicatorReading)) or 0
        if present >= rows:
            return present, None
        indicators = session.execute(select(Indicator.code, Indicator.warn).order_by(Indicator.code)).all()
        areas: list[str | None] = [None, *session.scalars(select(District.adcode).order_by(District.adcode))]
    began = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(IndicatorReading.__table__.delete())
    per_area = -(-rows // (len(indicators) * len(areas)))
    end = datetime.now(UTC).replace(second=0, microsecond=0)
    end -= timedelta(minutes=end.minute % 5)
    loaded = 0
    with bulkload.prepared_for_load(engine, ["indicator_readings"]):
        for number, (code, warn) in enumerate(indicators):
            frame = readings_frame(code, 0.7 * warn, areas, per_area, end)
            excess = loaded + len(frame) - rows
            if excess > 0:  # the last indicator gives up its oldest readings, so every series stays current
                frame = frame.sort_values("ts", kind="stable").iloc[excess:]
            loaded += bulkload.bulk_insert(engine, IndicatorReading, list(frame.columns), frame)
            print(
                f"\rloading {code:<28} {number + 1}/{len(indicators)}  {loaded:>12,} rows", end="", flush=True
            )
    print()
    if (
        engine.dialect.name == "postgresql"
    ):  # as services.demo.simulator.seed does; SQLite stores get no statistics
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return loaded, round(time.perf_counter() - began, 1)


def measure(engine: Engine, database: str, warm: int, cold: int) -> list[dict[str, Any]]:
    cache = LocalQueryCache()
    sessions = make_sessionmaker(engine, cache)  # as the runtime's: the services cache through them

    def invalidate_indicators() -> None:
        cache.invalidate(CACHE.tables)

    with sessions() as session:
        now = session.scalar(select(func.max(IndicatorReading.ts)))
        districts = list(session.scalars(select(District.adcode).order_by(District.adcode)))
    if now is None:
        raise SystemExit("the store holds no readings")
    week = (now - timedelta(days=7), now + STEP)

    def strip() -> None:
        with sessions() as session:
            cards = kpi_strip(session=session, codes=WALL_CODES, now=now)
        if any(card.value is None for card in cards):
            raise SystemExit(f"a KPI card has no value: {[c.code for c in cards if c.value is None]}")

    turn = iter(range(10**9))

    def drill() -> None:
        k = next(turn)
        code, district = WALL_CODES[k % len(WALL_CODES)], districts[k % len(districts)]
        with sessions() as session:
            view = drill_down(
                session=session, code=code, district=district, start=week[0], end=week[1], bucket="hour"
            )
        if view.trend.empty or view.latest.empty or view.comparison.empty:
            raise SystemExit(f"no hourly series for {code} in {district}")

    invalidate_indicators()
    strip()  # fills the cache for the warm calls
    return [
        figure("kpi_strip_warm", database, timed(strip, warm), BUDGETS),
        figure("kpi_strip_cold", database, timed(strip, cold, invalidate_indicators), BUDGETS),
        figure("drill_down", database, timed(drill, cold, invalidate_indicators), BUDGETS),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--warm", type=int, default=200, help="repetitions of the warm-cache figure")
    parser.add_argument("--cold", type=int, default=100, help="repetitions of each cold-cache figure")
    parser.add_argument("--out", type=Path, default=RESULTS / "indicators.json")
    args = parser.parse_args()
    engine = open_store(args.database_url)
    database = database_version(engine)
    rows, load_seconds = build(engine, args.rows)
    figures = measure(engine, database, args.warm, args.cold)
    engine.dispose()
    params = {"rows": rows, "load_seconds": load_seconds, "reused": load_seconds is None,
              "warm": args.warm, "cold": args.cold}  # fmt: skip
    print(
        f"{database}: {rows:,} readings, "
        + ("reused" if load_seconds is None else f"loaded in {load_seconds} s")
    )
    print(f"{'figure':<16} {'n':>4} {'p50':>9} {'p95':>9} {'p99':>9} {'min':>9} {'max':>9} {'budget':>7}  ms")
    for f in figures:
        verdict = "ok" if f["p95"] <= f["budget_p95"] else "OVER"
        print(f"{f['name']:<16} {f['n']:>4} {f['p50']:>9} {f['p95']:>9} {f['p99']:>9} {f['min']:>9} "
              f"{f['max']:>9} {f['budget_p95']:>7}  {verdict}")  # fmt: skip
    fixed = {"wall_codes": list(WALL_CODES), "cadence_minutes": 5, "drill_down_days": 7, "drill_down_bucket": "hour"}
    write(args.out, merge(args.out, "indicators", database, params, figures, order=list(BUDGETS), fixed=fixed,
                          keep_load_seconds=True))


if __name__ == "__main__":
    main()
