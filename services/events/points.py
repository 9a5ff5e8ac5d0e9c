"""The event map's points: the newest matching events, kept incrementally so a write costs a delta, not a query of
100 000 rows.

`map_points` is cached per (scope, filter) in the events namespace (`queries.CACHE`), which every commit writing
events or dispatches invalidates. Recomputing 100 000 rows after each write would cost most of a second, so each
view also has a shared base (namespace `BASES`) that writes never invalidate: the newest matching events as of a
mark, brought up to date from the events whose `updated_at` (set by database triggers on every write, migration
0008) is newer than the mark, and replaced in the cache (`put`) at most every BASE_REFRESH seconds.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import BigInteger, ColumnElement, Integer, and_, case, cast, extract, func, select
from sqlalchemy.orm import Session

from services.access import CITY_WIDE, Scope
from services.events.lifecycle import STATUSES
from services.events.queries import ALL_EVENTS, SEVERITIES, EventFilter, cached_view, conditions
from services.store import Event
from services.store.cache import Namespace, cache_of

MAP_POINTS = 100_000
# The bases: no tables, so never invalidated (kept exact by updated_at); replaced at most every BASE_REFRESH
# seconds, and kept a minute, so a view idle for less than that resumes from its base.
BASES = Namespace("event_points", lifetime=60.0)
BASE_REFRESH = 5.0
SAFETY = timedelta(seconds=5)  # how far before a base's mark changed rows are fetched again
DELTA_LIMIT = 20_000  # more changed rows than this: the full query is cheaper than merging them
SLACK_SHARE = 10  # a base holds 1/10 more rows than shown, so events leaving a view (closed, moved) seldom force
# the full query
# A point packs an event's status and severity codes into its id: id * _PACK + status * _SEVERITY_CODES + severity.
_SEVERITY_CODES = 8  # > len(SEVERITIES) + 1 ("other")
_PACK = 16 * _SEVERITY_CODES  # 16 > len(STATUSES) + 1


def _coded(column: Any, values: tuple[str, ...]) -> ColumnElement[int]:
    """A text column as the index of its value in `values` (len(values) for any other), computed by the database:
    a small integer costs the driver far less than a string per row."""
    return case({value: i for i, value in enumerate(values)}, value=column, else_=len(values))


def _micros(dialect: str) -> ColumnElement[int]:
    """reported_at as whole microseconds since the epoch, computed by the database: one plain number a row that
    orders as the column does (SQLite stores SQLAlchemy's "YYYY-MM-DD HH:MM:SS.ffffff" text, naive UTC)."""
    if dialect == "sqlite":
        return (func.unixepoch(func.substr(Event.reported_at, 1, 19)) * 1_000_000
                + cast(func.substr(Event.reported_at, 21, 6), Integer))
    return cast(extract("epoch", Event.reported_at) * 1_000_000, BigInteger)


def _point_columns(dialect: str) -> list[Any]:
    """Four plain numbers a row: id, status and severity packed into one integer, reported_at, lon, lat."""
    packed = (Event.id * _PACK + _coded(Event.status, STATUSES) * _SEVERITY_CODES
              + _coded(Event.severity, SEVERITIES))
    return [packed, _micros(dialect), Event.lon, Event.lat]


@dataclass(frozen=True)
class _Points:
    """Point rows as numpy arrays, newest first (reported_at, then id, descending: a total order, so an
    incrementally kept set and a fresh query agree row for row)."""

    id: np.ndarray
    reported: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    status: np.ndarray
    severity: np.ndarray

    @classmethod
    def of(cls, rows: Sequence[Sequence[Any]]) -> _Points:
        """From (packed, reported µs, lon, lat) rows in one pass: at 100 000 rows each value the driver turns into
        a Python object costs more than the query (bench/events.py), so a row is four numbers. Every value is
        exact in a float64 (ids below 2**46, microseconds below 2**53)."""
        table = np.fromiter(chain.from_iterable(rows), dtype=np.float64, count=4 * len(rows)).reshape(len(rows), 4)
        ids, codes = np.divmod(table[:, 0].astype(np.int64), _PACK)
        statuses, severities = np.divmod(codes, _SEVERITY_CODES)
        return cls(ids, table[:, 1].astype(np.int64), table[:, 2], table[:, 3], statuses.astype(np.int8),
                   severities.astype(np.int8))

    def __len__(self) -> int:
        return len(self.id)

    def take(self, index: Any) -> _Points:
        return _Points(*(getattr(self, f.name)[index] for f in fields(self)))

    def merged(self, other: _Points, keep: int) -> _Points:
        """Both sets' rows (ids must not repeat), the newest `keep`."""
        both = _Points(*(np.concatenate([getattr(self, f.name), getattr(other, f.name)]) for f in fields(self)))
        return both.take(np.lexsort((-both.id, -both.reported))[:keep])

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame({
            "id": self.id, "lon": self.lon, "lat": self.lat,
            "status": pd.Categorical.from_codes(self.status, [*STATUSES, "other"]),
            "severity": pd.Categorical.from_codes(self.severity, [*SEVERITIES, "other"]),
        })


def _newest(session: Session, filters: EventFilter, scope: Scope, limit: int) -> _Points:
    query = (select(*_point_columns(session.get_bind().dialect.name))
             .where(*conditions(filters, scope), Event.lat.is_not(None), Event.lon.is_not(None))
             .order_by(Event.reported_at.desc(), Event.id.desc()).limit(limit))
    result = session.connection().execute(query)
    rows = result.cursor.fetchall()
    result.close()
    return _Points.of(rows)


def points(*, session: Session, filters: EventFilter = ALL_EVENTS, scope: Scope = CITY_WIDE,
           limit: int = MAP_POINTS) -> pd.DataFrame:
    """The newest `limit` matching events with coordinates (ties by id): id, lon, lat, and status and severity as
    categoricals, fetched as plain numbers through the driver's cursor and turned into numpy arrays in one pass."""
    return _newest(session, filters, scope, limit).frame()


@dataclass(frozen=True)
class MapPoints:
    """What the point map shows: the newest matching events, and whether more match than are shown."""

    frame: pd.DataFrame
    capped: bool


@dataclass(frozen=True)
class _Base:
    """At most `cap` of the newest matching events as of `mark`, the newest updated_at they account for (as the
    database reported it; None on an empty store); `complete` when no other event matched; `built`, the wall-clock
    second it was brought up to date (every process of a deployment agrees on it)."""

    rows: _Points
    mark: datetime | None
    cap: int
    complete: bool
    built: float = field(default_factory=time.time)


def _full(session: Session, filters: EventFilter, scope: Scope, cap: int) -> _Base:
    """The base from scratch; the mark is read first, so a row committed in between is fetched again later
    (merged idempotently), never missed."""
    mark = session.execute(select(func.max(Event.updated_at))).scalar()
    rows = _newest(session, filters, scope, cap)
    return _Base(rows, mark, cap, len(rows) < cap)


def _advanced(session: Session, base: _Base, filters: EventFilter, scope: Scope, need: int) -> _Base | None:
    """`base` brought up to date with the events written since its mark (less SAFETY, for transactions that commit
    out of order): changed rows that match are upserted, the others dropped. None when that cannot be exact or
    cheap: too many changes, or removals leave fewer than `need` rows above a full base's oldest one (below it, an
    unchanged event the base never held may now be among the newest)."""
    dialect = session.get_bind().dialect.name
    matches = case((and_(*conditions(filters, scope), Event.lat.is_not(None), Event.lon.is_not(None)), 1), else_=0)
    query = select(*_point_columns(dialect), matches, Event.updated_at).limit(DELTA_LIMIT + 1)
    if base.mark is not None:
        query = query.where(Event.updated_at > base.mark - SAFETY)
    rows = session.execute(query).all()
    if len(rows) > DELTA_LIMIT:
        return None
    if not rows:
        return base
    changed = np.fromiter((row[0] // _PACK for row in rows), dtype=np.int64, count=len(rows))
    kept = base.rows.take(~np.isin(base.rows.id, changed))
    fresh = _Points.of([row[:4] for row in rows if row[4]])
    if not base.complete:  # below the base's oldest row only the changed events are known: not enough
        last = (base.rows.reported[-1], base.rows.id[-1])
        fresh = fresh.take((fresh.reported > last[0]) | ((fresh.reported == last[0]) & (fresh.id >= last[1])))
    merged = kept.merged(fresh, base.cap)
    if not base.complete and len(merged) < need:
        return None
    newest = max(row[5] for row in rows)
    return _Base(merged, newest if base.mark is None else max(base.mark, newest), base.cap,
                 base.complete and len(kept) + len(fresh) <= base.cap)


def _current(session: Session, filters: EventFilter, scope: Scope, need: int) -> _Base:
    """The view's rows now: its shared base (namespace BASES) plus what changed since the base's mark, or the full
    query when there is no base or that cannot be exact. A base older than BASE_REFRESH is replaced by the result,
    so the changes to merge stay a few seconds' worth; writes never invalidate it."""
    cap = need + need // SLACK_SHARE
    cache = cache_of(session)
    base: _Base | None = None if cache is None else cache.get(BASES, "points_base", scope.key, (filters, cap))
    current = None if base is None else _advanced(session, base, filters, scope, need)
    if current is None:
        current = _full(session, filters, scope, cap)
    if cache is not None and (base is None or time.time() - base.built >= BASE_REFRESH):
        current = replace(current, built=time.time())
        cache.put(BASES, "points_base", scope.key, (filters, cap), current)
    return current


def map_points(*, session: Session, filters: EventFilter = ALL_EVENTS, scope: Scope = CITY_WIDE,
               limit: int = MAP_POINTS) -> MapPoints:
    """The newest `limit` matching events for the point map, cached per scope and filter (both colourings share
    an entry). The newest are a deterministic choice an index serves without reading the rest; one row more is
    asked for to know whether the cap cut, and `count_matching` says by how much (kept out of the map's path).

    After a write the result is the view's shared base plus the events changed since its mark (`_current`), not
    a fresh query of 100 000 rows. Department filters and scopes always query afresh: they match through the
    dispatches, whose changes do not touch events.updated_at."""

    def compute() -> MapPoints:
        need = limit + 1
        if filters.department or scope.departments:
            current = _full(session, filters, scope, need)
        else:
            current = _current(session, filters, scope, need)
        return MapPoints(current.rows.take(slice(0, limit)).frame(), len(current.rows) > limit)

    return cached_view(session, "map_points", scope, (filters, limit), compute)
