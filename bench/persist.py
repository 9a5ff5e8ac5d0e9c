"""How fast the persist worker drains the alert stream into the store (issue 6 budget: ≥ 5 000 alerts/s).

    python bench/persist.py [--rows 50000] [--database-url URL ...] [--redis-url URL] [--repeat 5] [--out PATH]

Each repetition XADDs `--rows` alerts on a real Redis (not timed), then times one PersistWorker draining them
(normalize, batched insert, XACK) into a freshly migrated store. SQLite (a temporary file) is always measured;
each `--database-url` adds a server, on which a throwaway database is created and dropped. About 1 % of the
entries are updates and cancels, which split batches as they do in production.

For a rate higher is better, so the figure's p95 / p99 are the rates that 95 % / 99 % of runs reached
(the 5th / 1st percentiles) and `budget_p95` is a minimum.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
from _report import machine, write
from _store import database_version
from redis.utils import HIREDIS_AVAILABLE
from sqlalchemy import Engine, create_engine, delete, insert, text
from sqlalchemy.engine import make_url

from services.alerts.persist import PersistWorker
from services.config import Settings
from services.store import Alert, AlertAction, AlertGroup, District, make_engine, migrate

BUDGET = 5_000
DISTRICTS = ["350203", "350205", "350206", "350211", "350212", "350213"]
SEVERITIES = ["extreme", "severe", "moderate", "minor"]


def alerts(rows: int, seed: int = 6) -> Iterator[dict[str, str]]:
    """Realistic stream entries: plain alerts, with an update and a cancel of earlier ones about every 200."""
    rng = random.Random(seed)
    for number in range(rows):
        fields = {
            "id": f"bench-{number}", "source": "bench", "sent": f"2024-09-15T{number // 3600 % 24:02d}:"
            f"{number // 60 % 60:02d}:{number % 60:02d}+08:00", "severity": rng.choice(SEVERITIES),
            "urgency": "immediate", "certainty": "likely", "category": rng.choice(["met", "fire", "transport"]),
            "event": "台风", "headline": f"厦门市预警 {number}", "description": "预计6小时内台风将影响我市。" * 4,
            "district": rng.choice(DISTRICTS), "lat": f"{24.4 + rng.random() * 0.3:.6f}",
            "lon": f"{117.9 + rng.random() * 0.4:.6f}",
        }  # fmt: skip
        if number > 10 and number % 200 == 0:
            fields.update(msg_type="update", references=f"bench-{number - 10}")
        elif number > 10 and number % 200 == 100:
            fields.update(msg_type="cancel", references=f"bench-{number - 5}")
        yield fields


@contextmanager
def store(url: str | None) -> Iterator[Engine]:
    """A migrated, empty store with the districts: a temp SQLite file, or a throwaway database on `url`."""
    if url is None:
        with tempfile.TemporaryDirectory() as folder:
            engine = make_engine(f"sqlite:///{folder}/bench.db")
            yield from _migrated(engine)
        return
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"onescreen_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        engine = make_engine(make_url(url).set(database=name).render_as_string(hide_password=False))
        yield from _migrated(engine)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _migrated(engine: Engine) -> Iterator[Engine]:
    migrate(engine)
    with engine.begin() as connection:
        connection.execute(
            insert(District), [{"adcode": c, "name_zh": c, "name_en": c, "geometry": "{}"} for c in DISTRICTS]
        )
    try:
        yield engine
    finally:
        engine.dispose()


def drain_once(settings: Settings, engine: Engine, client: redis.Redis, rows: int) -> float:
    """Alerts per second for one full drain of `rows` fresh entries."""
    client.delete(settings.alerts_stream, settings.dead_letter_stream)
    with engine.begin() as connection:
        connection.execute(delete(AlertAction))
        connection.execute(delete(Alert))
        connection.execute(delete(AlertGroup))  # every run opens its storm groups afresh
    pipe = client.pipeline(transaction=False)
    for number, fields in enumerate(alerts(rows)):
        pipe.xadd(settings.alerts_stream, fields)  # type: ignore[arg-type]
        if number % 5_000 == 4_999:
            pipe.execute()
    pipe.execute()
    worker = PersistWorker(settings, engine, client)
    started = time.perf_counter()
    handled = 0
    while (step := worker.run_once(block_ms=1, count=500)) > 0:
        handled += step
    elapsed = time.perf_counter() - started
    if handled != rows or client.xlen(settings.dead_letter_stream):
        raise SystemExit(
            f"drained {handled} of {rows}, {client.xlen(settings.dead_letter_stream)} dead letters"
        )
    return rows / elapsed


def percentile_low(values: list[float], share: float) -> float:
    """The value that `share` of the runs reached or beat (for a rate: the pessimistic side)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int((1 - share) * len(ordered))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument(
        "--database-url", action="append", default=[], help="a server to measure besides SQLite"
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "persist.json")
    args = parser.parse_args()

    settings = Settings(redis_url=args.redis_url, stream_prefix="bench", simulate=False, _env_file=None)
    client = redis.Redis.from_url(args.redis_url, decode_responses=True)
    figures, databases = [], []
    print(f"{'database':<22} {'runs':>4} {'median':>10} {'p95':>10} {'min':>10} {'max':>10}  alerts/s")
    for url in [None, *args.database_url]:
        with store(url) as engine:
            version = database_version(engine)
            rates = [drain_once(settings, engine, client, args.rows) for _ in range(args.repeat)]
        databases.append(version)
        figure = {
            "name": "persist_rate", "database": version, "unit": "alerts/s",
            "p50": round(statistics.median(rates)), "p95": round(percentile_low(rates, 0.95)),
            "p99": round(percentile_low(rates, 0.99)), "n": len(rates), "min": round(min(rates)),
            "max": round(max(rates)), "budget_p95": BUDGET,
        }  # fmt: skip
        figures.append(figure)
        print(f"{version:<22} {len(rates):>4} {figure['p50']:>10} {figure['p95']:>10} {figure['min']:>10} "
              f"{figure['max']:>10}  (budget ≥ {BUDGET})")  # fmt: skip
    client.delete(settings.alerts_stream, settings.dead_letter_stream)
    result = {
        "bench": "persist",
        "machine": machine(database=", ".join(databases), redis=str(client.info("server")["redis_version"]),
                           redis_parser="hiredis" if HIREDIS_AVAILABLE else "python",
                           load_average=[round(load, 2) for load in os.getloadavg()]),  # a shared machine skews it
        "params": {"rows": args.rows, "repeat": args.repeat, "batch": 500, "updates_and_cancels": "1 %"},
        "figures": figures,
    }  # fmt: skip
    write(args.out, result)


if __name__ == "__main__":
    main()
