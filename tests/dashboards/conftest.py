"""A seeded OneScreen for browser tests: two days of the demo city on SQLite, alerts on the real Redis."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app import create_app
from services.catalog import install_catalog
from services.config import Settings
from services.runtime import Runtime, open_runtime
from services.simulator import seed


@pytest.fixture(scope="session")
def seeded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seeded once per run and copied per test: seeding is the slow part."""
    path = tmp_path_factory.mktemp("store") / "seeded.db"
    rt = open_runtime(Settings(database_url=f"sqlite:///{path}", simulate=False, _env_file=None))
    with rt.sessions() as session:
        install_catalog(session, districts=rt.city.rows())
        session.commit()
    seed(rt.engine, days=2, progress=False)
    rt.close()
    return path


@pytest.fixture
def wall_runtime(seeded_store: Path, tmp_path: Path, redis_client, redis_url: str) -> Iterator[Runtime]:
    store = tmp_path / "onescreen.db"
    store.write_bytes(seeded_store.read_bytes())
    settings = Settings(database_url=f"sqlite:///{store}", redis_url=redis_url, simulate=False, _env_file=None)
    yield open_runtime(settings)


@pytest.fixture
def wall_app(wall_runtime: Runtime):
    return create_app(wall_runtime.settings, wall_runtime)


@pytest.fixture
def open_page(dash_duo, wall_app):
    """`open_page("/indicators", role="analyst")`: serve the seeded app once, sign in as `role`, open the path.

    Every browser test goes through here, so signing in (issue 8) is done in one place for all pages.
    """
    started = False

    def go(path: str, *, role: str = "operator") -> None:
        nonlocal started
        if not started:
            dash_duo.start_server(wall_app)
            started = True
        dash_duo.wait_for_page(url=f"{dash_duo.server_url}{path}")

    return go
