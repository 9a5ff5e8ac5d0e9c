"""Shared fixtures: real stores only.

- `engine` / `session`: a freshly migrated, empty store, once on SQLite and once on the PostgreSQL named by
  `TEST_DATABASE_URL` (skipped, with the reason, when that variable is unset: the README's test command sets it).
- `redis_client` / `redis_url`: a real Redis server (`TEST_REDIS_URL`, default 127.0.0.1:6379, database 15), flushed.
- `settings`: a Settings object pointing at both.

Scheduled briefings are off in every app a test starts (ONESCREEN_BRIEFINGS), unless the test turns them on.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from services.config import Settings
from services.store import make_engine, make_sessionmaker, migrate
from services.store.cache import LocalQueryCache

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# No app a test starts makes the pack's scheduled briefings unless the test asks (Settings(briefings=True)): at
# start-up the job would write last week's into ./var and audit it, under every test's feet (it broke the login
# tests' audit trail). The tests of the briefings turn them on themselves.
os.environ.setdefault("ONESCREEN_BRIEFINGS", "false")


def pytest_configure(config: pytest.Config) -> None:
    """Browser tests serve on ports of this run's own (Dash counts up from 58050 in every process), so two
    test runs on one machine never answer each other's browsers."""
    from dash.testing.application_runners import BaseDashRunner

    BaseDashRunner._next_port = 20_000 + (os.getpid() * 37) % 30_000


def fresh_postgres_database() -> Iterator[str]:
    """A new, empty database on the server TEST_DATABASE_URL names (skipped, with the reason, when it is unset)."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("TEST_DATABASE_URL is not set: run the README's test command, which sets it")
    yield from _postgres_database(base)


def _postgres_database(base_url: str) -> Iterator[str]:
    """A throwaway database on the test server, dropped afterwards, so tests never see each other's rows."""
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    name = f"onescreen_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'onescreen.db'}"
        return
    yield from fresh_postgres_database()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """An empty PostgreSQL database of this test's own (for tests that need the production backend)."""
    yield from fresh_postgres_database()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated, empty store."""
    eng = make_engine(database_url)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session as the runtime makes them: carrying a (fresh) query cache that its commits invalidate."""
    with make_sessionmaker(engine, LocalQueryCache())() as sess:
        yield sess


@pytest.fixture
def redis_url() -> str:
    return TEST_REDIS_URL


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    """A real Redis server's test database, emptied before and after each test."""
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        pytest.fail(f"no Redis at {redis_url}: run the README's test command, which starts one ({exc})")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def settings(database_url: str, redis_url: str) -> Settings:
    return Settings(database_url=database_url, redis_url=redis_url, simulate=False, _env_file=None)
