"""The demo simulator is one more source: registered on its first step, each step's rows counted as deliveries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import redis
from sqlalchemy import Engine

from services.config import Settings
from services.demo.simulator import SIMULATOR, Live, city_districts, seed
from services.sources import source_statuses
from services.store import make_sessionmaker
from services.store.catalog import install_catalog

END = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


def test_the_simulator_shows_up_as_a_source_with_its_deliveries(engine: Engine, settings: Settings,
                                                                redis_client: redis.Redis) -> None:
    with make_sessionmaker(engine)() as session:
        install_catalog(session, districts=city_districts(Settings(_env_file=None)))
        session.commit()
    seed(engine, days=0.1, end=END, progress=False)
    live = Live(settings, engine, redis_client, rate=5.0, rng_seed=7)
    done = [live.step(END + timedelta(minutes=10, seconds=60 * i)) for i in range(3)]
    with make_sessionmaker(engine)() as session:
        (status,) = [s for s in source_statuses(session, now=END + timedelta(minutes=13), zone=ZoneInfo("UTC"))
                     if s.id == SIMULATOR.id]
    expected = sum(step[target] for step in done for target in ("events", "readings", "applications"))
    assert (status.kind, status.state, status.targets) == ("simulator", "on_time", ("events", "readings",
                                                                                   "applications"))
    assert status.rows_today == expected > 0
