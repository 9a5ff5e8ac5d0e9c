"""SQL building blocks over `indicator_readings` that work the same on SQLite and PostgreSQL.

Each one is shaped to stay on the (indicator_code, district, ts) index, whatever the size of the history:
- time buckets: SQLite has no zone arithmetic, so it buckets on the unix epoch (integer division) and, for days,
  adds the display zone's UTC offset, taken from zoneinfo for each part of the range (a CASE over the zone's
  transitions, so DST zones get correct days too); PostgreSQL uses date_bin and date_trunc(..., zone);
- the newest reading: one backward index seek, correlated to the enclosing query;
- the reading nearest to many target times at once (KPI deltas): one statement of two seeks per target.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    DateTime,
    Integer,
    ScalarSelect,
    Select,
    String,
    bindparam,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from services.store import IndicatorReading, UTCDateTime
from services.zones import utc_offset

R = IndicatorReading
BUCKET_SECONDS = {"5min": 300, "hour": 3600, "day": 86400}
_PG_BINS = {"5min": "INTERVAL '5 minutes'", "hour": "INTERVAL '1 hour'"}
_TARGET_CHUNK = 1000  # targets (6 parameters each) per statement, far below SQLite's parameter limit
_TARGET_FIELDS = ("k", "code", "target", "low", "high", "as_of")

Target = tuple[str, datetime, timedelta, datetime]
"""(indicator code, target time, tolerance, only readings before this time)."""


def area(district: str | None) -> ColumnElement[bool]:
    """The city rows (district IS NULL) or one district's."""
    return R.district.is_(None) if district is None else R.district == district


def newest_id(*where: ColumnElement[bool]) -> ScalarSelect[int]:
    """The id of the newest reading matching `where`, correlated to the enclosing query: one backward index seek.

    Ordered by (district, ts), not ts alone: PostgreSQL does not treat `district IS NULL` as pinning the column,
    so with ORDER BY ts it would sort every reading of the indicator instead of reading the index backwards.
    """
    return select(R.id).where(*where).order_by(R.district.desc(), R.ts.desc()).limit(1).scalar_subquery()


def readings_by_id(session: Session, ids: Sequence[int | None]) -> dict[int, tuple[datetime, float]]:
    """(ts, value) by primary key; fetched apart because joining on a subquery's ids misleads PostgreSQL's planner
    into hashing the whole table."""
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    stmt = select(R.id, R.ts, R.value).where(R.id.in_(wanted))
    return {rid: (ts, value) for rid, ts, value in session.execute(stmt)}


def nearest_values(session: Session, district: str | None, targets: Sequence[Target]) -> list[float | None]:
    """Per target, the value of the reading nearest to its time within its tolerance (None when there is none).

    The targets are a row source (PostgreSQL: unnest of arrays; SQLite: a UNION ALL of bound rows) and per target
    two correlated index seeks find the last reading at or before it and the first one after it. So the seeks are
    planned once, not once per target (a UNION ALL of seeks took PostgreSQL longer to plan than to run), and the
    statement is built and compiled once per shape (a VALUES clause would be recompiled on every call).
    """
    dialect = session.get_bind().dialect.name
    pairs: dict[int, tuple[int | None, int | None]] = {}
    for first in range(0, len(targets), _TARGET_CHUNK):
        chunk = targets[first : first + _TARGET_CHUNK]
        rows = [(i, code, t, t - tol, t + tol, upto) for i, (code, t, tol, upto) in enumerate(chunk)]
        if dialect == "postgresql":
            columns = (list(field) for field in zip(*rows, strict=True))
            params: dict[str, Any] = dict(zip(_TARGET_FIELDS, columns, strict=True))
            statement = _nearest_statement(dialect, 0, district is None)
        else:
            params = {
                f"{name}{row[0]}": v for row in rows for name, v in zip(_TARGET_FIELDS, row, strict=True)
            }
            statement = _nearest_statement(dialect, len(chunk), district is None)
        if district is not None:
            params["district"] = district
        pairs |= {first + i: (b, a) for i, b, a in session.execute(statement, params)}
    readings = readings_by_id(session, [rid for pair in pairs.values() for rid in pair])
    nearest: list[float | None] = [None] * len(targets)
    for k, pair in pairs.items():
        near = [readings[rid] for rid in pair if rid is not None]
        if near:
            nearest[k] = min(near, key=lambda reading: abs(reading[0] - targets[k][1]))[1]
    return nearest


@functools.lru_cache(maxsize=64)
def _nearest_statement(dialect: str, count: int, city: bool) -> Select[int, int | None, int | None]:
    """The before/after seeks for a set of targets (`count` of them on SQLite; any number on PostgreSQL)."""
    stamps: list[TypeEngine[Any]] = [UTCDateTime() for _ in range(4)]
    targets: Any
    kinds: list[TypeEngine[Any]]
    if dialect == "postgresql":
        kinds = [ARRAY(Integer()), ARRAY(String()), *(ARRAY(DateTime(timezone=True)) for _ in stamps)]
        arrays: list[BindParameter[Any]] = [
            bindparam(name, type_=kind) for name, kind in zip(_TARGET_FIELDS, kinds, strict=True)
        ]
        targets = func.unnest(*arrays).table_valued(*_TARGET_FIELDS).render_derived(name="t")
    else:
        kinds = [Integer(), String(), *stamps]
        rows = [
            select(
                *(bindparam(f"{n}{i}", type_=k).label(n) for n, k in zip(_TARGET_FIELDS, kinds, strict=True))
            )
            for i in range(count)
        ]
        targets = (union_all(*rows) if count > 1 else rows[0]).cte("t")
    common = (
        R.indicator_code == targets.c.code,
        R.district.is_(None) if city else R.district == bindparam("district"),
    )
    before = newest_id(*common, R.ts <= targets.c.target, R.ts >= targets.c.low)
    after = select(R.id).where(
        *common, R.ts > targets.c.target, R.ts <= targets.c.high, R.ts < targets.c.as_of
    )
    after_id = after.order_by(R.district, R.ts).limit(1).scalar_subquery()
    return select(targets.c.k, before, after_id)


def bucket_expr(
    dialect: str, bucket: str, zone: ZoneInfo, start: datetime, end: datetime
) -> ColumnElement[Any]:
    """The bucket of R.ts: a UTC timestamp on PostgreSQL; on SQLite the epoch second, or the local day number.

    `bucket_starts` turns what comes back into UTC timestamps; [start, end] is the range the query covers (the
    zone offsets are looked up for it).
    """
    if dialect == "postgresql":
        if bucket == "day":
            return func.date_trunc("day", R.ts, zone.key, type_=DateTime(timezone=True))
        origin: ColumnElement[Any] = literal_column("TIMESTAMPTZ '1970-01-01 00:00:00+00'")
        return func.date_bin(literal_column(_PG_BINS[bucket]), R.ts, origin, type_=DateTime(timezone=True))
    epoch = cast(func.strftime("%s", R.ts), Integer)
    seconds = BUCKET_SECONDS[bucket]
    if bucket != "day":
        return epoch // seconds * seconds
    segments = offset_segments(zone, start, end)
    if len(segments) == 1:
        offset: ColumnElement[Any] = literal(segments[0][1], Integer)
    else:
        whens = [(R.ts < segments[i + 1][0], segments[i][1]) for i in range(len(segments) - 1)]
        offset = case(*whens, else_=segments[-1][1])
    return (epoch + offset) // seconds


def bucket_starts(values: pd.Series, dialect: str, bucket: str, zone: ZoneInfo) -> pd.Series:
    """The UTC start of each bucket that `bucket_expr` returned."""
    if dialect == "postgresql" or values.empty:
        return pd.to_datetime(values, utc=True)
    if bucket != "day":
        return pd.to_datetime(values.astype("int64"), unit="s", utc=True)
    epoch_day = date(1970, 1, 1)
    starts = [
        datetime.combine(epoch_day + timedelta(days=int(n)), time(0), tzinfo=zone).astimezone(UTC)
        for n in values
    ]
    return pd.to_datetime(pd.Series(starts, index=values.index), utc=True)


def offset_segments(zone: ZoneInfo, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """(from when, UTC offset in seconds) for each part of [start, end] with one offset; at most one change a day."""

    def offset(moment: datetime) -> int:
        return utc_offset(moment, zone)

    segments = [(start, offset(start))]
    cursor = start
    while cursor < end:
        step = min(cursor + timedelta(days=1), end)
        if offset(step) != segments[-1][1]:
            low, high = cursor, step
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if offset(middle) == segments[-1][1] else (low, middle)
            change = low.replace(microsecond=0) + timedelta(seconds=1)  # transitions fall on whole seconds
            segments.append((change, offset(change)))
        cursor = step
    return segments
