"""The engine, sessions and Alembic migrations of the SQL store.

Every timestamp is stored in UTC and comes back timezone-aware, on SQLite (which has no zone type) as on PostgreSQL.
The schema changes only through the migrations in `services/migrations/`; `migrate()` brings a store to head.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    event,
    make_url,
)
from sqlalchemy.orm import Session, sessionmaker

from services.store.cache import SESSION_KEY, QueryCache
from services.store.invalidation import invalidate_on_commit

MIGRATIONS_DIR = Path(__file__).resolve().parents[1] / "migrations"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; a SQLite file gets its folder, WAL and foreign keys so readers never block the writer.
    PostgreSQL sessions run without JIT compilation: a screen's queries take milliseconds, and the planner's cost
    estimate for a few thousand rows with subplans or many groups passes `jit_above_cost`, so compiling them cost
    more than running them (355 of 580 ms for the MTTA window at the 10 M-event store)."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    if make_url(url).get_backend_name() == "postgresql":
        connect_args = dict(kwargs.pop("connect_args", {}))
        connect_args["options"] = f"{connect_args.get('options', '')} -c jit=off".strip()
        kwargs["connect_args"] = connect_args
    engine = create_engine(url, pool_pre_ping=True, **kwargs)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()

    return engine


def make_sessionmaker(engine: Engine, cache: QueryCache | None = None) -> sessionmaker[Session]:
    """Sessions that keep their objects readable after commit (callbacks render after the session closes); with
    a `cache` they carry it to the services' queries and invalidate what each commit wrote."""
    if cache is None:
        return sessionmaker(engine, expire_on_commit=False)
    sessions = sessionmaker(engine, expire_on_commit=False, info={SESSION_KEY: cache})
    invalidate_on_commit(sessions)
    return sessions


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the store's schema to `revision` with Alembic (creates it on an empty store)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _sqlite_rebuild_mode(connection, on=True)
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                if sqlite and (broken := connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()):
                    raise RuntimeError(f"migration left rows whose foreign key points nowhere: {broken[:5]}")
        finally:
            if sqlite:
                _sqlite_rebuild_mode(connection, on=False)


def _sqlite_rebuild_mode(connection: Connection, *, on: bool) -> None:
    """SQLite changes a table by rebuilding it (copy, drop, rename: Alembic's batch mode). With foreign keys on, the
    drop's implicit DELETE cascades into every row that references the table (an upgrade through 0010 emptied
    event_dispatches), and each rename re-parses every trigger (~0.7 s with the rollup's). So, outside the
    transaction (the pragmas are no-ops inside one): foreign keys off and the legacy rename while migrating; the
    result is checked with foreign_key_check before the commit."""
    connection.exec_driver_sql(f"PRAGMA foreign_keys={'OFF' if on else 'ON'}")
    connection.exec_driver_sql(f"PRAGMA legacy_alter_table={'ON' if on else 'OFF'}")
    connection.commit()
