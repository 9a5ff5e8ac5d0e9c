"""How fast the /events map answers over a million events, and how fast Chromium draws 100 000 of its points.

    python bench/events.py [--rows 1000000] [--database-url URL] [--redis-url URL] [--repeat 30] [--no-browser]
                           [--out PATH]

Builds (or reuses, when it already holds ≥ --rows events) a store with the catalog, the districts and --rows
events of the demo city's model (services.demo.simcity, about 1.7 dispatches each, each with its 1 km grid cell),
bulk loaded (services.store.bulkload), ending now. Default store: a SQLite file under /tmp; a PostgreSQL URL names a
dedicated database, created when missing. Measured, each call in its own session as a callback does, and each
including the JSON encoding Dash does before sending; cold (the events cache emptied before each call, as after
any write) under the plain names, warm (the same view asked again within the cache's lifetime) as `<name>_warm`:
- map_districts: the default view, open events per district (choropleth);
- map_points_100k: the analyst's point view of the newest 100 000 events (WebGL scatter);
- map_points_100k_after_write: the same view right after one event's status changed (a committed UPDATE, whose
  commit invalidates the events cache): the shared base plus what changed since its mark (services.events.points.map_points);
- map_drill_grid: Siming's grid cells and its events of the last 30 days (drill-down);
- points_draw_100k (browser): in headless Chromium with software WebGL, from the figure JSON arriving in the page
  to `Plotly.newPlot` resolved and two animation frames later, 100 000 points drawn on an empty graph;
- points_redraw_100k: the same figure drawn again over the one on screen (`Plotly.react`, as dcc.Graph does).
With --redis-url (or BENCH_REDIS_URL) the query cache is the Redis one every worker shares, as in production.
The figures of a database replace that database's earlier ones in --out (figures carry a "database" field).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import plotly.io as pio
import redis
from _report import machine, write
from _store import database_version, figure, open_store, timed
from sqlalchemy import Engine, case, func, select, text, update

from dashboards._event_views import map_figure
from services.access import CITY_WIDE
from services.config import DEFAULT_CITY, Settings
from services.demo.simcity import DAY, EVENTS_PER_DAY, event_rows
from services.demo.simulator import city_districts
from services.events import rollup as dispatch_rollup
from services.events import touch as event_touch
from services.events.queries import CACHE, EventFilter
from services.geo import load_city
from services.hotline import rollup as hotline_rollup
from services.store import Event, EventDispatch, bulkload, make_sessionmaker, rollups
from services.store.cache import LocalQueryCache, QueryCache
from services.store.catalog import install_catalog
from services.store.shared_cache import RedisQueryCache

BUDGETS = {"map_districts": 300, "map_points_100k": 300, "map_points_100k_after_write": 300,
           "map_drill_grid": 300, "points_draw_100k": 1500,
           "points_redraw_100k": 1500,
           "map_districts_warm": 300, "map_points_100k_warm": 300, "map_drill_grid_warm": 300}
DEFAULT_URL = "sqlite:////tmp/onescreen-bench/events.db"
RESULTS = Path(__file__).resolve().parent / "results"
CHUNK = 200_000
PLOTLY_JS = Path(pio.__file__).resolve().parents[1] / "package_data" / "plotly.min.js"


def build(engine: Engine, rows: int) -> tuple[int, float | None]:
    """(events in the store, load seconds or None when reused): --rows events over rows / EVENTS_PER_DAY days."""
    city = load_city(DEFAULT_CITY)
    with make_sessionmaker(engine)() as session:
        install_catalog(session, districts=city_districts(Settings(_env_file=None)))
        present = session.scalar(select(func.count()).select_from(Event)) or 0
    if present >= rows:
        return present, None
    began = time.perf_counter()
    # the deletes and the load: one rebuild of each rollup after
    with rollups.suspended(engine, dispatch_rollup.ROLLUP, hotline_rollup.ROLLUP):
        with engine.begin() as conn:
            conn.execute(EventDispatch.__table__.delete())
            conn.execute(Event.__table__.delete())
        rng = np.random.default_rng(20261123)
        codes, geoms = city.adcodes, list(city.districts.geometry)
        end = datetime.now(UTC).timestamp()
        start = end - rows / EVENTS_PER_DAY * DAY
        loaded = 0
        with bulkload.prepared_for_load(engine, ["events", "event_dispatches"]), event_touch.suspended_for_load(engine):
            while loaded < rows:
                n = min(CHUNK, rows - loaded)
                lo = start + (end - start) * loaded / rows
                hi = start + (end - start) * (loaded + n) / rows
                events, dispatches = event_rows(rng, lo, hi if hi < end else end, n, codes, geoms, loaded + 1)
                loaded += bulkload.bulk_insert(engine, Event, list(events.columns), events)
                bulkload.bulk_insert(engine, EventDispatch, list(dispatches.columns), dispatches)
                print(f"\rloaded {loaded:>10,} events", end="", flush=True)
    print()
    bulkload.sync_id_sequence(engine, Event)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return loaded, round(time.perf_counter() - began, 1)


def measure(engine: Engine, database: str, repeat: int, cache: QueryCache) -> tuple[list[dict[str, Any]], str]:
    """The map callback's figures, cold (the events cache emptied before each call, as after a write) and warm
    (another browser asking for the same view within the cache's lifetime), and the 100 000-point figure's JSON.
    Sessions are made as the runtime makes them: carrying `cache`, invalidating it on commit."""
    sessions = make_sessionmaker(engine, cache)
    city = load_city(DEFAULT_CITY)
    with sessions() as session:
        newest = session.scalar(select(func.max(Event.reported_at)))
    if newest is None:
        raise SystemExit("the store holds no events")
    views = {
        "map_districts": dict(filters=EventFilter(status=("open",)), view="districts", drill=None),
        "map_points_100k": dict(filters=EventFilter(), view="points", drill=None),
        "map_drill_grid": dict(filters=EventFilter(start=newest - timedelta(days=30)), view="districts",
                               drill="350203"),
    }
    payloads: dict[str, str] = {}
    rng = np.random.default_rng(4)

    def callback(name: str) -> Callable[[], None]:
        def run() -> None:
            with sessions() as session:
                shown = map_figure(session, city, scope=CITY_WIDE, colour_by="status", lang="zh-CN",
                                   **views[name])  # type: ignore[arg-type]
            payloads[name] = pio.to_json(shown, validate=False)
        return run

    for name in views:  # once untimed: plotly's trace classes load on first use, as at an app's first page
        callback(name)()
    def cold() -> None:
        cache.invalidate(CACHE.tables)

    figures = [figure(name, database, timed(callback(name), repeat, before=cold), BUDGETS, digits=1)
               for name in views]
    figures.append(figure("map_points_100k_after_write", database,
                          timed(callback("map_points_100k"), repeat, before=write_one(sessions, rng)), BUDGETS,
                          digits=1))
    figures += [figure(f"{name}_warm", database, timed(callback(name), repeat), BUDGETS, digits=1)
                for name in views]
    return figures, payloads["map_points_100k"]


def write_one(sessions: Any, rng: np.random.Generator) -> Callable[[], None]:
    """A writer's step, as the simulator's: one of the newest thousand events changes status (reported and
    registered in turn), committed through the runtime's sessions, whose commit invalidates the events cache."""
    def write() -> None:
        newest = (select(Event.id).order_by(Event.reported_at.desc()).limit(1)
                  .offset(int(rng.integers(1000))).scalar_subquery())
        with sessions() as session:
            session.execute(update(Event).where(Event.id == newest)
                            .values(status=case((Event.status == "reported", "registered"), else_="reported"))
                            .execution_options(synchronize_session=False))
            session.commit()
    return write


_DRAW = """
const done = arguments[arguments.length - 1];
const gd = document.getElementById('gd');
const fresh = arguments[1];
if (fresh) Plotly.purge(gd);
const t0 = performance.now();
const fig = JSON.parse(arguments[0]);
(fresh ? Plotly.newPlot : Plotly.react)(gd, fig.data, fig.layout, {displayModeBar: false}).then(() => {
  requestAnimationFrame(() => requestAnimationFrame(() => {
    const n = gd._fullData.filter(t => t.type === 'scattergl').reduce((s, t) => s + t._length, 0);
    done([performance.now() - t0, n]);
  }));
});
"""


def draw_in_browser(payload: str, repeat: int) -> tuple[list[float], list[float], int, str]:
    """Milliseconds from the figure JSON arriving in a headless Chromium page to its points drawn: on an empty
    graph (first draw, `Plotly.newPlot`) and over the same map already drawn (`Plotly.react` with new data
    arrays, what dcc.Graph does for a new figure or a Patch of its traces)."""
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--window-size=1280,900", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    page = Path(tempfile.mkdtemp(prefix="onescreen-draw-")) / "draw.html"
    page.write_text(f'<html><body style="margin:0"><div id="gd" style="width:1200px;height:800px"></div>'
                    f'<script src="file://{PLOTLY_JS}"></script></body></html>', encoding="utf-8")
    driver = webdriver.Chrome(options=options)
    try:
        driver.set_script_timeout(120)
        driver.get(f"file://{page}")
        driver.execute_async_script(_DRAW, payload, True)  # warm-up: shaders compiled, as in a page already open
        first, again, drawn = [], [], 0
        for _ in range(repeat):
            ms, drawn = driver.execute_async_script(_DRAW, payload, True)
            first.append(float(ms))
            ms, drawn = driver.execute_async_script(_DRAW, payload, False)
            again.append(float(ms))
        return first, again, int(drawn), str(driver.capabilities.get("browserVersion", "?"))
    finally:
        driver.quit()


def merge(out: Path, database: str, params: dict[str, Any], figures: list[dict[str, Any]],
          extra: dict[str, Any]) -> dict[str, Any]:
    """This run's figures replace those of the same database kind (and the browser's, when it drew); other
    databases' runs are kept."""
    kind = database.split()[0]
    replaced = {kind} | {str(f["database"]).split()[0] for f in figures}
    old = json.loads(out.read_text(encoding="utf-8")) if out.is_file() else {}
    kept = [f for f in old.get("figures", []) if str(f.get("database", "")).split()[0] not in replaced]
    runs = {**old.get("params", {}).get("runs", {}), kind: params}
    return {"bench": "events", "machine": machine(database=database, **extra), "params": {"runs": runs},
            "figures": kept + figures}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL"))
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--draws", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--out", type=Path, default=RESULTS / "events.json")
    args = parser.parse_args()
    engine = open_store(args.database_url)
    cache: QueryCache = LocalQueryCache()
    if args.redis_url:
        cache = RedisQueryCache(redis.Redis.from_url(args.redis_url, decode_responses=True), prefix="bench-events",
                                secret="bench")
    database = database_version(engine)
    events, load_seconds = build(engine, args.rows)
    print(f"{database}: {events:,} events ({'reused' if load_seconds is None else f'loaded in {load_seconds} s'})")
    figures, payload = measure(engine, database, args.repeat, cache)
    extra: dict[str, Any] = {}
    if not args.no_browser:
        first, again, drawn, version = draw_in_browser(payload, args.draws)
        browser = f"chromium {version} (software WebGL)"
        figures += [figure("points_draw_100k", browser, first, BUDGETS, digits=1),
                    figure("points_redraw_100k", browser, again, BUDGETS, digits=1)]
        extra["browser"] = f"chromium {version}"
        print(f"browser drew {drawn:,} points")
    params = {"events": events, "load_seconds": load_seconds, "repeat": args.repeat,
              "query_cache": "redis" if args.redis_url else "in-process",
              "payload_mb": round(len(payload) / 2**20, 2), "load_average": [round(x, 2) for x in os.getloadavg()]}
    print(f"{'figure':<30}{'p50':>10}{'p95':>10}{'p99':>10}{'budget p95':>12}")
    for f in figures:
        print(f"{f['name']:<30}{f['p50']:>10}{f['p95']:>10}{f['p99']:>10}{f['budget_p95']:>12}")
    write(args.out, merge(args.out, database, params, figures, extra))
    engine.dispose()


if __name__ == "__main__":
    main()
