"""Connectors on real parts: OneScreen's store on PostgreSQL with the catalogs, a real Redis, and the department's
side as a second PostgreSQL database, a local HTTP server or a folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.config import Settings
from services.platform.runtime import Runtime, open_runtime
from services.sources import SourceRunner, info_of, register_sources
from services.sources.assembly import ingest_writers
from services.store.catalog import install_catalog
from tests.conftest import fresh_postgres_database


@pytest.fixture
def rt(postgres_url: str, redis_url: str, redis_client, tmp_path: Path) -> Iterator[Runtime]:
    settings = Settings(database_url=postgres_url, redis_url=redis_url, simulate=False,
                        sources=tmp_path / "no-sources.yaml", _env_file=None)
    runtime = open_runtime(settings)
    with runtime.sessions() as session:
        install_catalog(session, districts=runtime.city.rows())
        session.commit()
    yield runtime
    runtime.close()


@pytest.fixture
def department_db() -> Iterator[str]:
    """A department's own database: a second PostgreSQL database of this test's, dropped afterwards."""
    yield from fresh_postgres_database()


@pytest.fixture
def runner(rt: Runtime) -> SourceRunner:
    return SourceRunner(rt.sessions, rt.redis, ingest_writers(rt), prefix=rt.settings.stream_prefix)


def declare(rt: Runtime, *specs) -> None:
    with rt.sessions() as session:
        register_sources(session, map(info_of, specs))
        session.commit()
