"""Benchmark: the default demo seed (90 days) into a fresh store; writes bench/results/seed.json (DESIGN.md format).

python bench/seed.py [--days N] [--database-url URL] [--out PATH]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _report import machine, write
from sqlalchemy import text

from services.catalog import install_catalog
from services.config import Settings
from services.db import make_engine, make_sessionmaker, migrate
from services.simulator import city_districts, seed

RESULTS = Path(__file__).resolve().parent / "results"


def _database(engine) -> str:
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            return "postgresql " + conn.execute(text("SHOW server_version")).scalar_one()
    import sqlite3

    return f"sqlite {sqlite3.sqlite_version}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=float, default=90)
    parser.add_argument("--database-url", default=None, help="an EMPTY store (default: a fresh SQLite file)")
    parser.add_argument("--out", type=Path, default=RESULTS / "seed.json")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="onescreen-seed-")
    url = args.database_url or f"sqlite:///{folder}/seed.db"
    engine = make_engine(url)
    migrate(engine)
    with make_sessionmaker(engine)() as session:
        install_catalog(session, districts=city_districts(Settings(_env_file=None)))
    report = seed(engine, days=args.days, progress=True)
    result = {
        "bench": "seed",
        "machine": machine(database=_database(engine)),
        "params": {"days": args.days, "rows": report.counts},
        "figures": [
            {"name": "seed_seconds", "unit": "s", "p50": report.seconds, "p95": report.seconds,
             "p99": report.seconds, "n": 1, "budget_p95": 60},
            {"name": "store_size", "unit": "MB", "p50": round(report.store_bytes / 2**20, 1),
             "p95": round(report.store_bytes / 2**20, 1), "p99": round(report.store_bytes / 2**20, 1), "n": 1,
             "budget_p95": None},
        ],
    }
    print(f"{'table':<22}{'rows':>12}")
    for table, rows in report.counts.items():
        print(f"{table:<22}{rows:>12,}")
    print(f"seed_seconds {report.seconds:.1f} s   store_size {report.store_bytes / 2**20:.1f} MB   ({url})")
    write(args.out, result)
    engine.dispose()


if __name__ == "__main__":
    main()
