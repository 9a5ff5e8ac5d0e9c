"""The migrations: an empty store upgraded to head has exactly the models' schema (alembic's compare_metadata finds
no difference), on SQLite and on PostgreSQL; and the migrations import no live module whose SQL they run."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from services.store import MIGRATIONS_DIR, Base, make_engine, migrate

# What a migration may import: alembic, SQLAlchemy, the standard library, and the store's column types.
ALLOWED = ("alembic", "sqlalchemy", "pathlib", "services.store")


# alembic cannot reflect an index on an expression, so it skips comparing them (warning): checked by name below
EXPRESSION_INDEXES = {"ix_alerts_received"}


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_an_empty_store_upgraded_to_head_matches_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate(engine)
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
            indexes = {"sqlite": "SELECT name FROM sqlite_master WHERE type = 'index'",
                       "postgresql": "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"}
            assert EXPRESSION_INDEXES <= set(connection.exec_driver_sql(indexes[engine.dialect.name]).scalars())
            triggers = {"sqlite": "SELECT name FROM sqlite_master WHERE type = 'trigger'",
                        "postgresql": "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"}[engine.dialect.name]
            names = set(connection.exec_driver_sql(triggers).scalars())
        assert differences == [], "the migrations and the models disagree:\n" + "\n".join(map(str, differences))
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
        assert {"approval_rollup_insert", "approval_rollup_delete"} <= names, "the rollup's triggers are installed"
        assert {"hotline_rollup_order_insert", "hotline_rollup_dispatch_update", "hotline_rollup_event_update"} <= names
        assert names & {"events_touch", "events_touch_insert"}, "the events touch trigger is installed"
    finally:
        engine.dispose()


@pytest.mark.parametrize("path", sorted((MIGRATIONS_DIR / "versions").glob("*.py")), ids=lambda p: p.name)
def test_a_migration_imports_no_live_module(path: Path) -> None:
    """A migration carries its own SQL: importing a domain module would let an edit to it change an old
    migration's effect on a fresh install."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    imported += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    bad = [name for name in imported if not any(name == ok or name.startswith(ok + ".") for ok in ALLOWED)]
    assert not bad, f"{path.name} imports {bad}"


def test_upgrading_a_store_with_rows_keeps_every_row(database_url: str) -> None:
    """Migrations 0009 and 0010 rebuild `alerts` and `events` on SQLite (copy, drop, rename): the drop must not
    cascade into the rows that reference them (an upgrade through 0010 emptied event_dispatches)."""
    engine = make_engine(database_url)
    try:
        migrate(engine, "0008")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO districts (adcode, name_zh, name_en, geometry) VALUES ('1', 'a', 'a', '{}')"))
            conn.execute(text("INSERT INTO departments (code, name_zh, name_en, kind) VALUES ('d', 'a', 'a', 'k')"))
            conn.execute(text("INSERT INTO events (id, category, source, severity, status, reported_at, district, "
                              "out_of_city) VALUES (1, 'c', 's', 'minor', 'reported', '2026-01-01 00:00:00+00', "
                              "'1', false)"))
            conn.execute(text("INSERT INTO event_dispatches (event_id, department, dispatched_at, status) "
                              "VALUES (1, 'd', '2026-01-01 00:00:00+00', 'dispatched')"))
        migrate(engine)
        with engine.connect() as conn:
            counts = [conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                      for table in ("events", "event_dispatches")]
        assert counts == [1, 1]
    finally:
        engine.dispose()


def test_upgrading_restores_each_alerts_first_acknowledgement(database_url: str) -> None:
    """Before 0025 a second acknowledgement (after an escalation) overwrote `acknowledged_at`; the upgrade takes the
    first back from the audit trail and leaves an alert acknowledged with its storm head (no action) as it was."""
    engine = make_engine(database_url)
    columns = ("id, stream_id, alert_id, source, sent_at, severity, urgency, certainty, category, event, headline, "
               "msg_type, status, acknowledged_at")
    try:
        migrate(engine, "0024")
        with engine.begin() as conn:
            for pk, acknowledged in ((1, "2026-01-01 02:00:00"), (2, "2026-01-01 03:00:00"), (3, None)):
                conn.execute(text(f"INSERT INTO alerts ({columns}) VALUES (:pk, :pk, :pk, 's', '2026-01-01 00:00:00', "
                                  "'minor', 'future', 'likely', 'met', 'e', 'h', 'alert', 'acknowledged', :at)"),
                             {"pk": pk, "at": acknowledged})
            for alert, at in ((1, "2026-01-01 01:00:00"), (1, "2026-01-01 02:00:00"), (3, "2026-01-01 04:00:00")):
                conn.execute(text("INSERT INTO alert_actions (alert_id, action, \"user\", at) "
                                  "VALUES (:alert, 'acknowledge', 'op', :at)"), {"alert": alert, "at": at})
        migrate(engine)
        with engine.connect() as conn:
            got = dict(conn.execute(text("SELECT id, acknowledged_at FROM alerts ORDER BY id")).all())
        assert [str(got[pk])[:19] for pk in (1, 2, 3)] == [
            "2026-01-01 01:00:00", "2026-01-01 03:00:00", "2026-01-01 04:00:00"]
    finally:
        engine.dispose()
