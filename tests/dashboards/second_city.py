"""A OneScreen serving another city pack than the default one (the tests' made-up Lanshan, or a copy of it), for the
browser tests that override `wall_runtime` with it: the city's catalog installed, optionally a few days seeded."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from services.config import Settings
from services.demo.simulator import seed
from services.platform.runtime import Runtime, open_runtime
from services.store.catalog import install_catalog

LANSHAN = Path(__file__).resolve().parents[1] / "citypacks" / "lanshan"
WALL_TOKEN = "test-wall-token"  # conftest's, which `open_page` signs the wall in with


def pack_runtime(pack: Path, store: Path, redis_url: str | None = None, *, seed_days: float = 0) -> Runtime:
    """A runtime on a SQLite store at `store` for the pack at `pack`, its districts and catalogs installed (seeding
    needs no Redis: `redis_url` None leaves the settings' default)."""
    settings = Settings(city_pack=pack, database_url=f"sqlite:///{store}", simulate=False, wall_token=WALL_TOKEN,
                        _env_file=None, **({"redis_url": redis_url} if redis_url else {}))
    rt = open_runtime(settings)
    with rt.sessions() as session:
        install_catalog(session, districts=rt.city.rows(), catalogs=rt.pack.catalogs)
    if seed_days:
        seed(rt.engine, pack=rt.pack, days=seed_days, progress=False)  # `pack=`: the pack-aware simulator (i20-sim)
    return rt


def open_alone(dash_duo: Any, open_page: Callable[..., None], path: str, role: str) -> None:
    """`open_page`, then `path` loaded again with the console emptied: signing in lands on the role's home page
    first, and what that page logs is that page's, not `path`'s."""
    open_page(path, role=role)
    dash_duo.get_logs()
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}{path}", timeout=20)
