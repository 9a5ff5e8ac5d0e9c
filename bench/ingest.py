"""Department data in (issue 19): bulk events and readings through the ingest services, one event POST until the
wall map's query shows it, and the peak memory of a 1 M-row CSV import.

    python bench/ingest.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/onescreen_bench_ingest
                           [--rows 100000] [--repeat 3] [--csv-rows 1000000] [--bulk-only] [--out PATH]

- `events_bulk_rate`, `readings_bulk_rate` (rows/s, higher is better: p95 / p99 are the rates 95 % / 99 % of runs
  reached): a CSV body parsed by `parse_table` and stored by `ingest_events` / `ingest_readings` (validation,
  spatial join, upsert, threshold rules), committed; fresh keys each run.
- `event_post_to_map` (ms): POST /api/v1/events to the real app (served from a subprocess) until the event's dot is
  drawn on /wall's map in headless Chromium (see `post_to_map`).
- `csv_import_peak_growth` (MB): a `--csv-rows` events CSV on disk imported in a child process through
  `parse_table(file)` + `ingest_events`, the way the API does after spooling the body to disk; peak RSS minus the
  RSS before the import (Linux VmHWM, reset through /proc/self/clear_refs).
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from _report import write
from _store import database_version, figure, merge, open_store
from sqlalchemy import delete

from services.config import Settings
from services.geo import City, load_city
from services.ingest import ingest_events, ingest_readings, open_sink, parse_table
from services.store import IndicatorReading, make_sessionmaker
from services.store.catalog import install_catalog, load_categories

BUDGETS = {"events_bulk_rate": 20_000, "readings_bulk_rate": 100_000, "event_post_to_map": 2_000,
           "csv_import_peak_growth": 200}
ORDER = list(BUDGETS)
HERE = Path(__file__).resolve().parent
CATEGORIES = ["waterlogging", "facilities", "traffic", "city_appearance", "environment"]
INDICATORS = ["aqi", "pm25", "pm10", "noise", "temperature", "rainfall", "traffic_congestion_index"]
AREAS = ["city", "350203", "350205", "350206", "350211", "350212", "350213"]


def events_csv(rows: int, run: str, handle: io.TextIOBase | None = None) -> bytes:
    """An events CSV of `rows` points spread over Xiamen (or written to `handle` when given)."""
    rng = np.random.default_rng(abs(hash(run)) % 2**32)
    lon, lat = rng.uniform(117.95, 118.25, rows), rng.uniform(24.42, 24.62, rows)
    start = datetime(2026, 11, 30, tzinfo=UTC)
    out = handle or io.StringIO()
    out.write("external_id,source,category,title,reported_at,lon,lat,reporter_name,reporter_phone,priority\n")
    for n in range(rows):
        out.write(f"{run}-{n},bench,{CATEGORIES[n % 5]},道路积水第{n}号,{(start + timedelta(seconds=n)).isoformat()},"
                  f"{lon[n]:.6f},{lat[n]:.6f},张三,13812341234,{'high' if n % 7 == 0 else 'normal'}\n")
    return b"" if handle is not None else out.getvalue().encode()  # type: ignore[attr-defined]


def readings_csv(rows: int, offset_minutes: int) -> bytes:
    start = datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=offset_minutes)
    lines = ["indicator,area,time,value"]
    per_step = len(INDICATORS) * len(AREAS)
    for n in range(rows):
        at = start + timedelta(minutes=n // per_step)
        lines.append(f"{INDICATORS[n % len(INDICATORS)]},{AREAS[n // len(INDICATORS) % len(AREAS)]},"
                     f"{at.isoformat()},{40 + n % 30}")
    return ("\n".join(lines) + "\n").encode()


def rate(rows: int, work: callable) -> float:  # type: ignore[valid-type]
    started = time.perf_counter()
    work()
    return rows / (time.perf_counter() - started)


def bulk_events(settings: Settings, city: City, rows: int, repeat: int) -> list[float]:
    sessions = make_sessionmaker_for(settings)
    rates = []
    for run in range(repeat):
        body = events_csv(rows, f"e{run}-{time.time_ns()}")

        def work(body: bytes = body) -> None:
            with sessions() as session:
                report = ingest_events(session, parse_table(body, "text/csv"), source="bench", city=city,
                                       categories=load_categories())
                session.commit()
            assert report.accepted == rows and not report.refused, report.refused[:3]

        rates.append(rate(rows, work))
    return rates


def bulk_readings(settings: Settings, engine, rows: int, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    import redis

    sink = open_sink(engine, redis.Redis.from_url(settings.redis_url or ""), settings)
    sessions = make_sessionmaker(engine)
    rates = []
    for run in range(repeat):
        body = readings_csv(rows, run * 60 * 24 * 30)
        with engine.begin() as connection:  # every run stores fresh readings (untimed)
            connection.execute(delete(IndicatorReading))

        def work(body: bytes = body) -> None:
            with sessions() as session:
                report = ingest_readings(session, parse_table(body, "text/csv"), source="bench", sink=sink)
            assert report.accepted == rows and not report.refused, report.refused[:3]

        rates.append(rate(rows, work))
    return rates


def make_sessionmaker_for(settings: Settings):  # type: ignore[no-untyped-def]
    return make_sessionmaker(open_store(settings.database_url))


DRAWN = """const gd = document.querySelector('#event-map .js-plotly-plot');
           const dots = gd && gd._fullData && gd._fullData[gd._fullData.length - 1];
           return !!dots && Array.from(dots.customdata || []).includes(arguments[0]);"""


def post_to_map(settings: Settings, repeat: int, folder: Path) -> list[float]:
    """ms from sending one event to its dot on the wall map, in headless Chromium against the real app served
    from a subprocess (its own worker, as deployed): POST, commit, the `written` signal on the status stream, the
    wall's push loop, the map's refresh callback, Plotly's redraw. Posts are 1.5 s apart, past the map's
    one-refresh-a-second pacing, so each is measured on its own."""
    import requests
    from _wallkit import API_TOKEN, browser, free_port, start, stop, wait_for, wall_url

    port = free_port()
    server = start(__file__, ["--serve", "wall", str(port), settings.database_url, settings.redis_url or ""], port,
                   "/healthz", folder / "wall.log")
    driver = browser()
    spent = []
    try:
        driver.get(wall_url(port))
        wait_for(driver, "#event-map canvas.gl-canvas-context", 60)
        wait_for(driver, '#connection-state[data-state="live"]', 60)
        for n in range(repeat):
            time.sleep(1.5)
            event = {"external_id": f"map-{time.time_ns()}-{n}", "source": "bench", "category": "fire",
                     "reported_at": datetime.now(UTC).isoformat(), "lon": 118.0891 + n / 10_000, "lat": 24.4532}
            started = time.perf_counter()
            answer = requests.post(f"http://127.0.0.1:{port}/api/v1/events", json=[event], timeout=30,
                                   headers={"Authorization": f"Bearer {API_TOKEN}"})
            stored = requests.get(f"http://127.0.0.1:{port}/api/v1/events/bench/{event['external_id']}", timeout=30,
                                  headers={"Authorization": f"Bearer {API_TOKEN}"}).json()
            assert answer.json()["accepted"] == 1, answer.text
            while not driver.execute_script(DRAWN, stored["id"]):
                if time.perf_counter() - started > 90:
                    raise SystemExit(f"event {stored['id']} was not drawn within 90 s")
                time.sleep(0.01)
            spent.append((time.perf_counter() - started) * 1000)
    finally:
        driver.quit()
        stop([server])
    return spent


CHILD = """
import os, sys, time
sys.path.insert(0, {root!r})
from services.config import Settings, DEFAULT_CITY
from services.geo import load_city
from services.ingest import ingest_events, parse_table
from services.store import make_engine, make_sessionmaker
from services.store.catalog import load_categories
city = load_city(DEFAULT_CITY)
sessions = make_sessionmaker(make_engine({url!r}))
def status(key):
    for line in open('/proc/self/status'):
        if line.startswith(key):
            return int(line.split()[1]) / 1024
with sessions() as session:
    session.execute(__import__('sqlalchemy').text('select 1'))
open('/proc/self/clear_refs', 'w').write('5')
before = status('VmRSS:')
started = time.perf_counter()
with sessions() as session, open({path!r}, 'rb') as body:
    report = ingest_events(session, parse_table(body, 'text/csv'), source='bench', city=city,
                           categories=load_categories())
    session.commit()
print(before, status('VmHWM:'), time.perf_counter() - started, report.accepted, len(report.refused))
"""


def csv_import(settings: Settings, rows: int) -> tuple[float, float, int]:
    """(peak growth MB, seconds, rows accepted) of importing a `rows`-row CSV file in a fresh process."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events.csv"
        with path.open("w", encoding="utf-8") as handle:
            for start in range(0, rows, 100_000):
                events_csv(min(100_000, rows - start), f"csv{time.time_ns()}-{start}", handle)  # type: ignore[arg-type]
        header_lines = (rows + 99_999) // 100_000 - 1
        code = CHILD.format(root=str(HERE.parent), url=settings.database_url, path=str(path))
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        before, peak, seconds, accepted, refused = result.stdout.split()
        assert int(refused) == header_lines, result.stdout  # each 100 k block repeats its header line once
    return float(peak) - float(before), float(seconds), int(accepted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a dedicated PostgreSQL database (created)")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6"))
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--csv-rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "ingest.json")
    parser.add_argument("--bulk-only", action="store_true",
                        help="only the two bulk rates, to iterate (their figures replace the file's: use --out)")
    parser.add_argument("--serve", nargs="+", help=argparse.SUPPRESS)  # the wall server's own process
    args = parser.parse_args()
    if args.serve:
        from _wallkit import serve_wall

        serve_wall(int(args.serve[1]), *args.serve[2:])
        return
    if not args.database_url:
        parser.error("--database-url is required")

    settings = Settings(database_url=args.database_url, redis_url=args.redis_url, simulate=False,
                        stream_prefix="bench-ingest", _env_file=None)
    engine = open_store(args.database_url)
    city = load_city(settings.city)
    with make_sessionmaker(engine)() as session:
        install_catalog(session, districts=city.rows())
    version = database_version(engine)
    load = os.getloadavg()
    figures = [figure("events_bulk_rate", version, bulk_events(settings, city, args.rows, args.repeat), BUDGETS,
                      unit="rows/s", digits=0),
               figure("readings_bulk_rate", version, bulk_readings(settings, engine, args.rows * 5, args.repeat),
                      BUDGETS, unit="rows/s", digits=0)]
    for rates in figures:  # for a rate the pessimistic side is the low one
        rates["p95"], rates["p99"] = rates["min"], rates["min"]
    if not args.bulk_only:
        figures.append(figure("event_post_to_map", version, post_to_map(settings, 20, Path(tempfile.mkdtemp())),
                              BUDGETS))
        growth, seconds, accepted = csv_import(settings, args.csv_rows)
        figures.append({**figure("csv_import_peak_growth", version, [growth], BUDGETS, unit="MB", digits=1),
                        "seconds": round(seconds, 1), "rows_per_s": round(accepted / seconds)})
    params = {"rows": args.rows, "readings_rows": args.rows * 5, "repeat": args.repeat, "csv_rows": args.csv_rows,
              "load_average_at_start": [round(x, 2) for x in load],
              "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
              "map_refresh_pacing_s": 1.0}
    fixed = {"note": "event_post_to_map ends when the event's dot is drawn on /wall's map in headless Chromium: "
                     "the commit's written signal wakes the wall's push loop, which refreshes the map at most once "
                     "a second (map_refresh_pacing_s), so a burst of posts is drawn within that second plus one "
                     "refresh"}
    result = merge(args.out, "ingest", version, params, figures, ORDER, fixed)
    print(f"{'figure':<26} {'p50':>12} {'p95':>12} {'budget':>10} unit")
    for item in figures:
        print(f"{item['name']:<26} {item['p50']:>12} {item['p95']:>12} {item['budget_p95']:>10} {item['unit']}")
    write(args.out, result)
    engine.dispose()


if __name__ == "__main__":
    main()
