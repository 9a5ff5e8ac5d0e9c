"""Bulk inserts for the demo seed: millions of rows in seconds, without ORM objects.

SQLite gets `executemany` in one transaction on the raw DBAPI connection; PostgreSQL gets psycopg 3's COPY; both
in slices, so memory stays flat at ten million rows.
Timestamps are written as the ORM would write them (on SQLite SQLAlchemy's text format "YYYY-MM-DD HH:MM:SS.ffffff",
UTC, naive), so `services.store.UTCDateTime` reads them back unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, Table, func, select, text

from services.store import Base

Rows: TypeAlias = pd.DataFrame | Sequence[Sequence[Any]]
SLICE = 200_000  # rows converted and sent at a time
PIECE = 10_000  # rows formatted per COPY write: the server stores one piece while we format the next
NULL = r"\N"  # COPY's NULL in CSV


def _table(table: str | Table | type[Base]) -> Table:
    if isinstance(table, Table):
        return table
    if isinstance(table, str):
        return Base.metadata.tables[table]
    return table.__table__  # type: ignore[return-value]


def _suffix(engine: Engine) -> str:
    """What follows the microseconds: nothing on SQLite (naive UTC), the offset on PostgreSQL."""
    return "" if engine.dialect.name == "sqlite" else "+00:00"


def _format_value(value: Any, suffix: str) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: attach a time zone before bulk loading it")
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") + suffix
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return None if np.isnan(value) else float(value)
    return value


def _timestamp_column(series: pd.Series, suffix: str) -> np.ndarray:
    """Format a tz-aware datetime column once per distinct value (readings share few distinct stamps)."""
    if series.dt.tz is None:
        raise ValueError(f"column {series.name!r} holds naive datetimes: localize it to UTC first")
    values = series.dt.tz_convert(UTC).dt.tz_localize(None).to_numpy("datetime64[us]")
    codes, uniques = pd.factorize(values)
    out = np.full(len(values), None, dtype=object)
    if len(uniques) == 0:
        return out
    texts = np.char.add(np.char.replace(np.datetime_as_string(np.asarray(uniques, "datetime64[us]"), unit="us"),
                                        "T", " "), suffix).astype(object)
    known = codes >= 0
    out[known] = texts[codes[known]]
    return out


def _frame_rows(frame: pd.DataFrame, columns: Sequence[str], suffix: str) -> list[tuple[Any, ...]]:
    arrays: list[list[Any]] = []
    for name in columns:
        series = frame[name]
        if isinstance(series.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(series):
            arrays.append(_timestamp_column(series, suffix).tolist())
        elif series.hasnans:
            arrays.append(series.astype(object).where(series.notna(), None).tolist())
        else:
            arrays.append(series.tolist())
    return list(zip(*arrays, strict=True))


def _frame_csv(frame: pd.DataFrame, columns: Sequence[str], suffix: str) -> str:
    """A frame as COPY's CSV (NULL written `\\N`, so an empty string stays empty): pandas writes it in C, several
    times faster than psycopg's row-by-row `write_row`, which held a 10 M-row load to ~20 k rows a second."""
    text_of = {name: _timestamp_column(frame[name], suffix)
               if pd.api.types.is_datetime64_any_dtype(frame[name]) else frame[name] for name in columns}
    return str(pd.DataFrame(text_of).to_csv(header=False, index=False, na_rep=NULL, lineterminator="\n"))


def _slices(rows: Rows) -> Iterator[Rows]:
    """SLICE rows at a time: converting 10 M rows at once would hold them all in memory as Python objects
    (several GB) before the first one is sent."""
    for begin in range(0, len(rows), SLICE):
        yield rows[begin:begin + SLICE]


def _tuples(part: Rows, columns: Sequence[str], suffix: str) -> list[tuple[Any, ...]]:
    if isinstance(part, pd.DataFrame):
        return _frame_rows(part, columns, suffix)
    return [tuple(_format_value(v, suffix) for v in row) for row in part]


def bulk_insert(engine: Engine, table: str | Table | type[Base], columns: Sequence[str], rows: Rows,
                progress: Callable[[int], object] | None = None) -> int:
    """Insert `rows` (tuples in `columns` order, or a DataFrame holding those columns) in one transaction;
    returns the row count. Datetimes must be timezone-aware. `progress` is called with each slice's row count."""
    target = _table(table)
    unknown = [c for c in columns if c not in target.c]
    if unknown:
        raise ValueError(f"table {target.name} has no column(s) {', '.join(unknown)}")
    suffix = _suffix(engine)
    if len(rows) == 0:
        return 0
    quoted = ", ".join(engine.dialect.identifier_preparer.quote(c) for c in columns)
    name = engine.dialect.identifier_preparer.format_table(target)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for part in _slices(rows):
            if engine.dialect.name != "postgresql":
                marks = ", ".join("?" for _ in columns)
                cursor.executemany(f"INSERT INTO {name} ({quoted}) VALUES ({marks})", _tuples(part, columns, suffix))
            elif isinstance(part, pd.DataFrame):
                with cursor.copy(f"COPY {name} ({quoted}) FROM STDIN (FORMAT csv, NULL '{NULL}')") as copy:
                    for begin in range(0, len(part), PIECE):
                        copy.write(_frame_csv(part[begin:begin + PIECE], columns, suffix).encode())
            else:
                with cursor.copy(f"COPY {name} ({quoted}) FROM STDIN") as copy:
                    for row in _tuples(part, columns, suffix):
                        copy.write_row(row)
            if progress is not None:
                progress(len(part))
        raw.commit()
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.close()
    return len(rows)


def next_id(engine: Engine, table: str | Table | type[Base]) -> int:
    """The first free integer id, for rows whose ids the loader assigns itself (to link children in bulk)."""
    target = _table(table)
    with engine.connect() as conn:
        return int(conn.execute(select(func.coalesce(func.max(target.c.id), 0))).scalar_one()) + 1


def sync_id_sequence(engine: Engine, table: str | Table | type[Base]) -> None:
    """After explicit ids on PostgreSQL, move the id sequence past them so later ORM inserts do not collide."""
    if engine.dialect.name != "postgresql":
        return
    name = _table(table).name
    with engine.begin() as conn:
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                          f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {name}), false)"))


def _foreign_keys(conn: Connection, tables: Sequence[str]) -> list[tuple[str, str, str]]:
    """(table, name, definition) of every foreign key that `tables` hold, as PostgreSQL itself would re-create it."""
    rows = conn.execute(text(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid = ANY(CAST(:tables AS regclass[]))"), {"tables": list(tables)})
    return [(table, name, definition) for table, name, definition in rows]


@contextmanager
def prepared_for_load(engine: Engine, tables: Sequence[str]) -> Iterator[None]:
    """Drop the secondary indexes of `tables` (and on PostgreSQL their foreign keys) for a bulk load and recreate
    them afterwards, even when the load fails: one sorted index build and one validating join are far cheaper than
    maintaining them row by row (PostgreSQL's "Populating a Database"; the per-row foreign-key triggers held a
    10 M-row COPY to 10-20 k rows a second). Indexes get services/db.py's names and definitions; foreign keys
    their own."""
    indexes = [index for name in tables for index in Base.metadata.tables[name].indexes]
    with engine.begin() as conn:
        keys = _foreign_keys(conn, tables) if engine.dialect.name == "postgresql" else []
        for table, name, _ in keys:
            conn.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
        for index in indexes:
            index.drop(conn, checkfirst=True)
    try:
        yield
    finally:
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":  # sorts in memory: the default 64 MB spills 10 M keys to disk
                conn.execute(text("SET LOCAL maintenance_work_mem = '1GB'"))
            for index in indexes:
                index.create(conn, checkfirst=True)
            for table, name, definition in keys:
                conn.execute(text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
