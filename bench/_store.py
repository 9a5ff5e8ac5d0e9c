"""What the store benches share: the store they open, its version, the timing loop, a figure and the results merge."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from _report import machine
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from services.store import make_engine, migrate


def open_store(url: str) -> Engine:
    """A migrated engine on `url`; a missing PostgreSQL database is created (the shared `test` one is refused)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        if parsed.database in (None, "", "test", "postgres"):
            raise SystemExit(f"--database-url must name a dedicated database, not {parsed.database!r}")
        admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}):
                conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
        admin.dispose()
    engine = make_engine(url)
    migrate(engine)
    return engine


def database_version(engine: Engine) -> str:
    """The store's kind and server version, as figures name it: "sqlite 3.40.1", "postgresql 15.20"."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            return "sqlite " + str(conn.scalar(text("select sqlite_version()")))
        return "postgresql " + str(conn.scalar(text("show server_version"))).split()[0]


def timed(call: Callable[[], Any], repeat: int, before: Callable[[], None] = lambda: None) -> list[float]:
    """Milliseconds of each of `repeat` calls; `before` runs untimed ahead of each."""
    spent = []
    for _ in range(repeat):
        before()
        started = time.perf_counter()
        call()
        spent.append((time.perf_counter() - started) * 1000)
    return spent


def figure(
    name: str, database: str, values: list[float], budgets: Mapping[str, float], unit: str = "ms", digits: int = 2
) -> dict[str, Any]:
    """One result figure: median, p95, p99 and extremes of `values`, rounded to `digits`; its p95 budget from
    `budgets` by `name`."""
    ordered = sorted(values)

    def pick(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], digits)

    return {
        "name": name, "database": database, "unit": unit, "p50": round(statistics.median(ordered), digits),
        "p95": pick(0.95), "p99": pick(0.99), "n": len(ordered), "min": round(ordered[0], digits),
        "max": round(ordered[-1], digits), "budget_p95": budgets[name],
    }  # fmt: skip


def merge(
    out: Path, bench: str, database: str, params: dict[str, Any], figures: list[dict[str, Any]],
    order: list[str], fixed: dict[str, Any], keep_load_seconds: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """The results file: this run's figures and params replace those of the same database kind, other databases'
    runs are kept; figures sorted by `order` of names (SQLite first), `fixed` params beside the runs. With
    `keep_load_seconds`, a reused store (load_seconds None) keeps the load time measured when it was built."""
    kind = database.split()[0]
    old = json.loads(out.read_text(encoding="utf-8")) if out.is_file() else {}
    kept = [f for f in old.get("figures", []) if f.get("database", "").split()[0] != kind]
    earlier = old.get("params", {}).get("runs", {})
    runs = {db: run for db, run in earlier.items() if db.split()[0] != kind}
    if keep_load_seconds and params["load_seconds"] is None:
        params = {**params, "load_seconds": earlier.get(database, {}).get("load_seconds")}
    runs[database] = params
    figures = sorted(
        [*kept, *figures], key=lambda f: (order.index(f["name"]), not f["database"].startswith("sqlite"))
    )
    return {
        "bench": bench,
        "machine": machine(database=", ".join(sorted(runs, key=lambda db: db.split()[0] != "sqlite"))),
        "params": {**fixed, "runs": runs},
        "figures": figures,
    }
