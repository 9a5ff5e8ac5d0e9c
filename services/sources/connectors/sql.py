"""`sql` sources: a department database read with one SELECT, incremental on a cursor column that only grows.

The query runs inside a read-only transaction (PostgreSQL's READ ONLY, SQLite's query_only), so a connector can
never change a department's data whatever the SELECT says. Rows come in batches ordered by the cursor; rows that
share the cursor value at a batch's end wait for the next batch, so a batch boundary never skips one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.pool import NullPool

from services.sources.connectors.base import Batch, decode_cursor, encode_cursor
from services.sources.spec import SqlSource


class SqlConnector:
    def __init__(self, spec: SqlSource) -> None:
        self.spec = spec
        self.engine = create_engine(spec.url, poolclass=NullPool)  # a connection per run: departments are many

    def _read_only(self, conn: Connection) -> None:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET TRANSACTION READ ONLY"))
        elif conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA query_only = ON")

    def _fetch(self, conn: Connection, position: Any) -> list[dict[str, Any]]:
        column = conn.dialect.identifier_preparer.quote(self.spec.cursor)
        after = "" if position is None else f" WHERE source_rows.{column} > :position"
        stmt = text(f"SELECT * FROM ({self.spec.query}) AS source_rows{after} "
                    f"ORDER BY source_rows.{column} LIMIT :limit")
        params = {"limit": self.spec.batch + 1, **({} if position is None else {"position": position})}
        return [dict(row) for row in conn.execute(stmt, params).mappings()]

    def batches(self, cursor: str | None) -> Iterator[Batch]:
        position = decode_cursor(cursor) if cursor is not None else self.spec.start
        numbered = 0
        with self.engine.connect() as conn:
            self._read_only(conn)
            while rows := self._fetch(conn, position):
                if len(rows) > self.spec.batch:  # one row more than a batch: does the last value go on past it?
                    after, rows = rows[-1][self.spec.cursor], rows[:-1]
                    if rows[-1][self.spec.cursor] == after:
                        rows = [row for row in rows if row[self.spec.cursor] != after]
                        if not rows:
                            raise ValueError(f"more than {self.spec.batch} rows share {self.spec.cursor} = "
                                             f"{after!r}; raise the source's batch")
                last = rows[-1][self.spec.cursor]
                yield Batch([(numbered + i, row) for i, row in enumerate(rows, start=1)], encode_cursor(last))
                numbered += len(rows)
                position = last

    def settle(self, batch: Batch, report: Any | None, error: Exception | None) -> bool:
        return error is None  # a failed batch stops the run: its cursor was not kept, the next run retries it
