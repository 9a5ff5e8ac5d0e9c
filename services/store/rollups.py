"""Summary tables kept by triggers in the writers' transactions (the approvals', dispatches' and hotline's
rollups): what a bulk load and an operator's rebuild do with any of them, written once."""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rollup:
    """A trigger-kept summary: `rebuild` recomputes every cell from its source tables (returning the cells),
    `install_triggers` (re)creates the triggers that keep it, `drop_triggers` removes them."""

    name: str
    rebuild: Callable[[Connection], int]
    install_triggers: Callable[[Connection], None]
    drop_triggers: Callable[[Connection], None]


@contextmanager
def suspended(engine: Engine, *rollups: Rollup) -> Iterator[None]:
    """Around a bulk load: no per-row upkeep while loading, one rebuild of each rollup afterwards (also when the
    load fails, so a rollup always matches what was stored). No other writer may write their tables meanwhile."""
    with engine.begin() as conn:
        for rollup in rollups:
            rollup.drop_triggers(conn)
    try:
        yield
    finally:
        with engine.begin() as conn:
            for rollup in rollups:
                rollup.rebuild(conn)
                rollup.install_triggers(conn)


def rebuild_command(rollup: Rollup, module: str, argv: list[str] | None = None) -> None:
    """`python -m <module> [--database-url URL]`: migrate the store and rebuild `rollup` (after a hand repair, or
    to check the triggers)."""
    from services.config import Settings
    from services.store.engine import make_engine, migrate

    parser = argparse.ArgumentParser(prog=f"python -m {module}", description=f"rebuild the {rollup.name}")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    engine = make_engine(args.database_url or Settings().database_url)
    migrate(engine)
    began = time.perf_counter()
    with engine.begin() as conn:
        cells = rollup.rebuild(conn)
    logger.info("%s rebuilt: %d cells in %.1f s", rollup.name, cells, time.perf_counter() - began)
