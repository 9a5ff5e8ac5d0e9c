"""events.updated_at, kept by the database on every write (whoever writes: the ORM, bulk COPY, raw UPDATEs), so the
map's points cache (services/events/queries.py) fetches only what changed since it last looked.

PostgreSQL: a BEFORE INSERT OR UPDATE row trigger sets clock_timestamp() (the moment of the write, not the
transaction's start, so a long transaction's rows do not look older than they are). SQLite: ALTER TABLE ADD COLUMN
takes only a constant default, and recreating `events` would cascade-delete its dispatches, so AFTER INSERT and
AFTER UPDATE triggers set it by id (recursive triggers are off by default; the WHEN clause stops a second round).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, func, select, text

from services.store import Event

# SQLAlchemy's own text form of a UTC timestamp on SQLite ("YYYY-MM-DD HH:MM:SS.ffffff"), so stored values compare
# as text with the ones it binds
SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now') || '000'"
_SQLITE_TOUCH = "UPDATE events SET updated_at = " + SQLITE_NOW + " WHERE id = NEW.id"
_INSTALL = {
    "sqlite": [
        f"CREATE TRIGGER events_touch_insert AFTER INSERT ON events BEGIN {_SQLITE_TOUCH}; END",
        f"CREATE TRIGGER events_touch_update AFTER UPDATE ON events WHEN NEW.updated_at IS OLD.updated_at "
        f"BEGIN {_SQLITE_TOUCH}; END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION events_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "NEW.updated_at := clock_timestamp(); RETURN NEW; END $$",
        "CREATE TRIGGER events_touch BEFORE INSERT OR UPDATE ON events FOR EACH ROW EXECUTE FUNCTION events_touch()",
    ],
}
_DROP = {
    "sqlite": ["DROP TRIGGER IF EXISTS events_touch_insert", "DROP TRIGGER IF EXISTS events_touch_update"],
    "postgresql": ["DROP TRIGGER IF EXISTS events_touch ON events", "DROP FUNCTION IF EXISTS events_touch()"],
}


def install_triggers(conn: Connection) -> None:
    """Create the triggers that stamp events.updated_at on this connection's database."""
    for statement in _INSTALL[conn.dialect.name]:
        conn.execute(text(statement))


def drop_triggers(conn: Connection) -> None:
    """Remove them (the migration's downgrade, and a bulk load on SQLite)."""
    for statement in _DROP[conn.dialect.name]:
        conn.execute(text(statement))


@contextmanager
def suspended_for_load(engine: Engine) -> Iterator[None]:
    """Around a bulk insert of events on SQLite: the AFTER INSERT trigger writes every row a second time (the demo
    seed took 96 s with it, against 36 s before), so it is dropped, and the new rows are stamped by one UPDATE
    after the load. PostgreSQL's BEFORE trigger only assigns a field in the row being written: it stays.
    No other writer may insert events meanwhile."""
    if engine.dialect.name != "sqlite":
        yield
        return
    with engine.begin() as conn:
        before = conn.execute(select(func.coalesce(func.max(Event.id), 0))).scalar_one()
        drop_triggers(conn)
    try:
        yield
    finally:
        with engine.begin() as conn:  # stamped before the triggers are back, so the UPDATE fires none of them
            conn.execute(text(f"UPDATE events SET updated_at = {SQLITE_NOW} WHERE id > :before"), {"before": before})
            install_triggers(conn)
