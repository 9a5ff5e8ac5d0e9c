"""The SQL store: the data model, the engine and migrations, bulk loads, the catalog and the query caches.

The face re-exports the tables (`models.__all__`, listed once there) and the engine; `bulkload`, `catalog`, `cache`,
`shared_cache` and `invalidation` are imported as modules by the few places that use them.
"""

from __future__ import annotations

from services.store import models
from services.store.engine import MIGRATIONS_DIR, make_engine, make_sessionmaker, migrate
from services.store.models import *  # noqa: F403 (the tables, as models.__all__ names them)

__all__ = [*models.__all__, "MIGRATIONS_DIR", "make_engine", "make_sessionmaker", "migrate"]
