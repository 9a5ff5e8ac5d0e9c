"""What every benchmark writes (DESIGN.md "Benchmarks (contract)"): the machine it ran on, and the JSON file.

Every result says what it ran on and how busy the machine was (issue 17): `machine()` adds the load average at the
time of writing, and `store_rows(url)` the store's row counts, so a 10 M run can never pass for a demo run."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any

STORE_TABLES = ("events", "event_dispatches", "applications", "indicator_readings", "alerts")


def machine(**extra: Any) -> dict[str, Any]:
    """Cores, memory, Python and load average of this machine, plus what the bench adds (database, redis, browser
    versions)."""
    memory_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
    return {"cpus": os.cpu_count(), "memory_gb": memory_gb, "python": platform.python_version(),
            "load_average": [round(value, 2) for value in os.getloadavg()], **extra}


def store_rows(database_url: str) -> dict[str, int]:
    """Rows in the store's main tables (a table the store lacks is left out)."""
    from sqlalchemy import inspect, text

    from services.store import make_engine

    engine = make_engine(database_url)
    try:
        present = set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            return {table: int(conn.scalar(text(f"SELECT count(*) FROM {table}")) or 0)  # noqa: S608 (fixed names)
                    for table in STORE_TABLES if table in present}
    finally:
        engine.dispose()


def write(out: Path, result: dict[str, Any]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")
