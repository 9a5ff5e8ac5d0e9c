"""Benchmark: the demo seed into a fresh store; writes bench/results/seed.json (DESIGN.md format).

    python bench/seed.py [--days N] [--events-per-day N] [--applications-per-day N] [--database-url URL] [--out PATH]

The default is the demo's own seed (90 days: ~100 k events, ~300 k applications, ~6 M readings). Issue 9's scale,
10 M events, 10 M applications and ~50 M indicator readings, is `--scale`: 800 days of a city 11 times as busy
(12 500 events and 12 500 applications a day), loaded with COPY on PostgreSQL, with progress in rows.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
from pathlib import Path

from _report import machine, write
from _store import database_version, open_store

from services.config import Settings
from services.demo.simcity import APPLICATIONS_PER_DAY, EVENTS_PER_DAY
from services.demo.simulator import city_districts, seed
from services.store import make_sessionmaker
from services.store.catalog import install_catalog

RESULTS = Path(__file__).resolve().parent / "results"
SCALE = {"days": 800, "events_per_day": 12_500, "applications_per_day": 12_500}  # issue 9: 10 M / 10 M / ~50 M


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=float, default=90)
    parser.add_argument("--events-per-day", type=float, default=EVENTS_PER_DAY)
    parser.add_argument("--applications-per-day", type=float, default=APPLICATIONS_PER_DAY)
    parser.add_argument("--scale", action="store_true", help="issue 9's scale: " + ", ".join(
        f"{k}={v}" for k, v in SCALE.items()))
    parser.add_argument("--database-url", default=None, help="an EMPTY store (default: a fresh SQLite file)")
    parser.add_argument("--out", type=Path, default=None, help="default results/seed.json (seed_scale.json)")
    args = parser.parse_args()
    if args.scale:
        vars(args).update(SCALE)
    out = args.out or RESULTS / ("seed_scale.json" if args.scale else "seed.json")
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp(prefix='onescreen-seed-')}/seed.db"
    engine = open_store(url)
    with make_sessionmaker(engine)() as session:
        install_catalog(session, districts=city_districts(Settings(_env_file=None)))
    report = seed(engine, days=args.days, events_per_day=args.events_per_day,
                  applications_per_day=args.applications_per_day, progress=True)
    peak_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    size_mb = round(report.store_bytes / 2**20, 1)
    rows = sum(report.counts.values())
    result = {
        "bench": "seed",
        "machine": machine(database=database_version(engine)),
        "params": {"days": args.days, "events_per_day": args.events_per_day,
                   "applications_per_day": args.applications_per_day, "rows": report.counts,
                   "load_average_after": list(os.getloadavg())},
        "figures": [
            {"name": "seed_seconds", "unit": "s", "p50": report.seconds, "p95": report.seconds,
             "p99": report.seconds, "n": 1, "budget_p95": None if args.scale else 60},
            {"name": "rows_per_second", "unit": "rows/s", "p50": round(rows / report.seconds),
             "p95": round(rows / report.seconds), "p99": round(rows / report.seconds), "n": 1, "budget_p95": None},
            {"name": "store_size", "unit": "MB", "p50": size_mb, "p95": size_mb, "p99": size_mb, "n": 1,
             "budget_p95": None},
            {"name": "peak_rss", "unit": "MB", "p50": peak_mb, "p95": peak_mb, "p99": peak_mb, "n": 1,
             "budget_p95": None},
        ],
    }
    print(f"{'table':<22}{'rows':>12}")
    for table, count in report.counts.items():
        print(f"{table:<22}{count:>12,}")
    print(f"seed_seconds {report.seconds:.1f} s   {rows / report.seconds:,.0f} rows/s   store_size {size_mb} MB   "
          f"peak RSS {peak_mb} MB   ({url})")
    write(out, result)
    engine.dispose()


if __name__ == "__main__":
    main()
