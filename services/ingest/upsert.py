"""Insert-or-update many rows by their idempotency key, at database speed, counting which were new.

PostgreSQL: the rows are COPYed into a temporary staging table and merged with one
`INSERT … SELECT … ON CONFLICT DO UPDATE … RETURNING (xmax = 0)`, counted in the server (set-based; the table's triggers fire as for
any write). SQLite: the keys already stored are looked up, then one prepared upsert runs for every row.
Either way the caller's transaction holds the writes; nothing is committed here.

`stage` splits the two steps for a caller that overlaps batches: the merge is all the server's work (psycopg lets
go of the GIL while it waits), so it can run on another thread while the caller screens its next batch. The COPY
stays on the caller's thread: ten thousand small `write_row` calls on a thread that must win the GIL back from a
busy one each time took twice as long as the whole write.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

from sqlalchemy import Connection, FromClause, select, text, tuple_
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session


def upsert(session: Session, table: FromClause, records: Sequence[Mapping[str, Any]], *, key: Sequence[str],
           updated: Sequence[str]) -> int:
    """Write `records` (dicts with the same columns, distinct keys); returns how many were new."""
    return stage(session, table, records, key=key, updated=updated)()


def stage(session: Session, table: FromClause, records: Sequence[Mapping[str, Any]], *, key: Sequence[str],
          updated: Sequence[str]) -> Callable[[], int]:
    """Ready `records` to be written and give back the write, which returns how many were new. Run it before the
    session is used again (it holds the session's connection). On PostgreSQL the rows are staged now and the
    returned merge is the server's work; SQLite works in our own process, so there everything is done now."""
    if not records:
        return lambda: 0
    if session.get_bind().dialect.name == "postgresql":
        return _postgres(session, table, records, key, updated)
    new = _sqlite(session, table, records, key, updated)
    return lambda: new


def _postgres(session: Session, table: FromClause, records: Sequence[Mapping[str, Any]], key: Sequence[str],
              updated: Sequence[str]) -> Callable[[], int]:
    columns, name = list(records[0]), str(table.name)  # type: ignore[attr-defined]
    stage = f"ingest_stage_{name}"
    names = ", ".join(f'"{column}"' for column in columns)
    connection = session.connection()
    connection.execute(text(f"CREATE TEMP TABLE IF NOT EXISTS {stage} AS SELECT {names} FROM {name} "
                            "WITH NO DATA"))
    connection.execute(text(f"TRUNCATE {stage}"))
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {stage} ({names}) FROM STDIN") as copy:
        for record in records:
            copy.write_row([record[column] for column in columns])
    assignments = ", ".join(f'"{column}" = EXCLUDED."{column}"' for column in updated)
    conflict = ", ".join(f'"{column}"' for column in key)
    merge = text(  # counted in the server: one row back, not one per record
        f"WITH merged AS (INSERT INTO {name} ({names}) SELECT {names} FROM {stage} ON CONFLICT ({conflict}) "
        f"DO UPDATE SET {assignments} RETURNING (xmax = 0) AS new) "
        "SELECT count(*) FILTER (WHERE new) FROM merged")
    return partial(_count, connection, merge)


def _count(connection: Connection, merge: Any) -> int:
    return int(connection.execute(merge).scalar_one())


def _sqlite(session: Session, table: FromClause, records: Sequence[Mapping[str, Any]], key: Sequence[str],
            updated: Sequence[str]) -> int:
    key_columns = [table.c[name] for name in key]
    keys = [tuple(record[name] for name in key) for record in records]
    found: set[tuple[Any, ...]] = set()
    for start in range(0, len(keys), 500):  # SQLite's bound-parameter limit
        part = keys[start:start + 500]
        query = select(*key_columns).where(tuple_(*key_columns).in_(part))
        found.update(tuple(row) for row in session.execute(query))
    statement = sqlite.insert(table)  # type: ignore[arg-type]
    statement = statement.on_conflict_do_update(index_elements=key_columns,
                                                set_={name: statement.excluded[name] for name in updated})
    session.execute(statement, list(records))
    return len(records) - len(found)
