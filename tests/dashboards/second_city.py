"""A OneScreen serving another city pack than the default one (the tests' made-up Lanshan, or a copy of it), for the
browser tests that override `wall_runtime` with it: the city's catalog installed, optionally a few days seeded."""

from __future__ import annotations

from pathlib import Path

from services.config import Settings
from services.demo.simulator import seed
from services.platform.runtime import Runtime, open_runtime
from services.store.catalog import install_catalog

LANSHAN = Path(__file__).resolve().parents[1] / "citypacks" / "lanshan"
WALL_TOKEN = "test-wall-token"  # conftest's, which `open_page` signs the wall in with


def pack_runtime(pack: Path, store: Path, redis_url: str, *, seed_days: float = 0) -> Runtime:
    """A runtime on a fresh SQLite store at `store` for the pack at `pack`, its districts and catalogs installed."""
    settings = Settings(city_pack=pack, database_url=f"sqlite:///{store}", redis_url=redis_url, simulate=False,
                        wall_token=WALL_TOKEN, _env_file=None)
    rt = open_runtime(settings)
    with rt.sessions() as session:
        install_catalog(session, districts=rt.city.rows(), catalogs=rt.pack.catalogs)
    if seed_days:
        seed(rt.engine, days=seed_days, progress=False)
    return rt
