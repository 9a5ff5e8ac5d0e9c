"""Event (incident) queries for the map, the /events table and the wall: one filter, applied in SQL with the scope.

Open means not yet closed or cancelled. Overdue means past its SLA due time while still open (the red card).
`EventFilter` is what an analyst's URL holds (category, status, district, department, time); every query here takes
one, plus the caller's `scope`, and filters in SQL so a million events never travel to Python.

The map's queries (`map_points`, `district_counts`, `cell_counts`) are cached per (scope, filter) in the session's
query cache (`services.store.cache`, namespace `CACHE`): every browser on the same view costs one query per lifetime,
and a commit that writes events or dispatches invalidates them. Recomputing the point map's 100 000 rows after each
write would cost most of a second, so `map_points` instead keeps a shared base per view that writes never
invalidate (namespace `BASES`), brought up to date from the events whose `updated_at` (set by database triggers on
every write, migration 0008) is newer than the base's mark.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta
from itertools import chain
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from sqlalchemy import BigInteger, ColumnElement, Integer, and_, case, cast, exists, extract, func, select
from sqlalchemy.orm import Session, aliased

from services.access import CITY_WIDE, Scope
from services.events.lifecycle import STATUSES
from services.sla import sla_card
from services.store import Event, EventDispatch, EventTransition
from services.store.cache import Namespace, cache_of, cached, moment_key

FINISHED = ("closed", "cancelled")
OPEN = tuple(s for s in STATUSES if s not in FINISHED)
MAP_POINTS = 100_000
SEVERITIES = ("minor", "moderate", "severe", "extreme", "unknown")
CACHE = Namespace("events", tables=("events", "event_dispatches"))
# The point map's bases: no tables, so never invalidated (kept exact by updated_at); replaced at most every
# BASE_REFRESH seconds, and kept a minute, so a view idle for less than that resumes from its base.
BASES = Namespace("event_points", lifetime=60.0)
BASE_REFRESH = 5.0
SAFETY = timedelta(seconds=5)  # how far before a base's mark changed rows are fetched again
DELTA_LIMIT = 20_000  # more changed rows than this: the full query is cheaper than merging them
SLACK_SHARE = 10  # a base holds 1/10 more rows than shown, so events leaving a view (closed, moved) seldom force
# the full query
TABLE_COLUMNS = ("id", "reported_at", "category", "subcategory", "severity", "status", "district", "grid", "source",
                 "address", "sla_due_at", "closed_at", "out_of_city")
T = TypeVar("T")
# `points` packs an event's status and severity codes into its id: id * _PACK + status * _SEVERITY_CODES + severity.
_SEVERITY_CODES = 8  # > len(SEVERITIES) + 1 ("other")
_PACK = 16 * _SEVERITY_CODES  # 16 > len(STATUSES) + 1


@dataclass(frozen=True)
class EventFilter:
    """What to show: empty tuples mean "any"; "open" in `status` stands for every status before closed."""

    status: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    district: tuple[str, ...] = ()
    department: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> EventFilter:
        """Parse URL query values (comma-separated lists, ISO dates); raises ValueError naming the bad field."""
        statuses = _listed(query.get("status"))
        bad = [s for s in statuses if s not in STATUSES and s != "open"]
        if bad:
            raise ValueError(f"status: unknown value(s) {', '.join(bad)}")
        return cls(status=statuses, category=_listed(query.get("category")),
                   district=_listed(query.get("district")), department=_listed(query.get("department")),
                   start=_moment("start", query.get("start")), end=_moment("end", query.get("end")))

    def to_query(self) -> dict[str, str]:
        """The URL form of this filter (only the fields that are set), the inverse of `from_query`."""
        out = {name: ",".join(getattr(self, name)) for name in ("status", "category", "district", "department")
               if getattr(self, name)}
        out.update({name: getattr(self, name).isoformat() for name in ("start", "end") if getattr(self, name)})
        return out

    @property
    def statuses(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s for token in self.status for s in (OPEN if token == "open" else (token,))))


ALL_EVENTS = EventFilter()


def _listed(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    return tuple(dict.fromkeys(str(item).strip() for item in items if str(item).strip()))


def _moment(name: str, value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{name}: {value!r} is not an ISO date or time (e.g. 2026-11-23)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def conditions(filters: EventFilter, scope: Scope) -> list[ColumnElement[bool]]:
    """The WHERE clauses of a filter within a scope; departments match through the event's dispatches."""
    clauses: list[ColumnElement[bool]] = [scope.district_filter(Event.district)]
    if filters.statuses:
        clauses.append(Event.status.in_(filters.statuses))
    if filters.category:
        clauses.append(Event.category.in_(filters.category))
    if filters.district:
        clauses.append(Event.district.in_(filters.district))
    if filters.start:
        clauses.append(Event.reported_at >= filters.start)
    if filters.end:
        clauses.append(Event.reported_at < filters.end)
    for departments in (filters.department, tuple(scope.departments)):
        if departments:  # an alias, so the clause also works in queries that join the dispatches themselves
            dispatch = aliased(EventDispatch)
            clauses.append(exists().where(dispatch.event_id == Event.id, dispatch.department.in_(sorted(departments))))
    return clauses


def rows_frame(session: Session, query: Any, columns: tuple[str, ...] | list[str], *,
               plain: bool = False) -> pd.DataFrame:
    """Rows as a frame, built column by column: handing Row objects to pandas costs ~40 µs a row in attribute
    probes, twenty times the query itself at 100 000 points. `plain` takes the driver's tuples as they are,
    skipping SQLAlchemy's per-row processing: only for columns that need none (numbers and text, no timestamps)."""
    if plain:
        result = session.connection().execute(query)
        rows = result.cursor.fetchall()
        result.close()
    else:
        rows = session.execute(query).all()
    values = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    return pd.DataFrame({name: list(column) for name, column in zip(columns, values, strict=True)},
                        columns=list(columns))


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


def _cached(session: Session, name: str, scope: Scope, args: Hashable, compute: Callable[[], T]) -> T:
    return cached(session, CACHE, name, scope.key, args, compute)


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

    return _cached(session, "map_points", scope, (filters, limit), compute)


def count_matching(*, session: Session, filters: EventFilter = ALL_EVENTS, scope: Scope = CITY_WIDE) -> int:
    """How many events match, cached per scope and filter (the "N of M" note under a capped map)."""
    return _cached(session, "count_matching", scope, filters, lambda: int(session.execute(
        select(func.count()).select_from(Event).where(*conditions(filters, scope))).scalar_one()))


def counts_by_district(*, session: Session, filters: EventFilter = ALL_EVENTS, scope: Scope = CITY_WIDE,
                       now: datetime | None = None) -> pd.DataFrame:
    """Per district: matching events, how many are open and how many overdue (district, events, open, overdue).
    Cached per scope and filter (and `now` to the cache's TTL: overdue is as of the computation, at most a TTL
    old)."""

    def compute() -> pd.DataFrame:
        moment = now or datetime.now(UTC)
        is_open = Event.status.not_in(FINISHED)
        query = (select(Event.district, func.count(),
                        func.sum(case((is_open, 1), else_=0)),
                        func.sum(case((and_(is_open, Event.sla_due_at < moment), 1), else_=0)))
                 .where(*conditions(filters, scope), Event.district.is_not(None))
                 .group_by(Event.district))
        frame = rows_frame(session, query, ["district", "events", "open", "overdue"])
        return frame.astype({"events": "int64", "open": "int64", "overdue": "int64"})

    return _cached(session, "counts_by_district", scope, (filters, moment_key(now)), compute)


def grid_counts(*, session: Session, district: str, filters: EventFilter = ALL_EVENTS,
                scope: Scope = CITY_WIDE) -> pd.DataFrame:
    """Matching events per grid cell of one district (cell, events), grouped in SQL by the cell id every event
    carries (given when it is stored: services.demo.simcity, services.geo.locate_events). Cached per scope and filter."""

    def compute() -> pd.DataFrame:
        query = (select(Event.grid, func.count())
                 .where(*conditions(filters, scope), Event.district == district, Event.grid.is_not(None))
                 .group_by(Event.grid))
        return rows_frame(session, query, ["cell", "events"], plain=True).astype({"events": "int64"})

    return _cached(session, "grid_counts", scope, (district, filters), compute)


@dataclass(frozen=True)
class Page:
    rows: pd.DataFrame
    total: int


def table_page(*, session: Session, filters: EventFilter = ALL_EVENTS, scope: Scope = CITY_WIDE,
               offset: int = 0, limit: int = 50, sort_by: str = "reported_at", descending: bool = True) -> Page:
    """One page of the /events table, sorted in SQL (ties broken by id); raises ValueError naming a bad field."""
    if sort_by not in TABLE_COLUMNS:
        raise ValueError(f"sort_by: {sort_by!r} is not a column ({', '.join(TABLE_COLUMNS)})")
    if offset < 0 or not 0 < limit <= 10_000:
        raise ValueError("offset/limit: offset must be ≥ 0 and limit between 1 and 10000")
    where = conditions(filters, scope)
    total = int(session.execute(select(func.count()).select_from(Event).where(*where)).scalar_one())
    column = getattr(Event, sort_by)
    order = [column.desc() if descending else column.asc(), Event.id.desc() if descending else Event.id.asc()]
    query = _table_select().where(*where).order_by(*order).offset(offset).limit(limit)
    return Page(rows_frame(session, query, TABLE_COLUMNS), total)


def export_rows(*, session: Session, filters: EventFilter = ALL_EVENTS, scope: Scope = CITY_WIDE,
                limit: int = 200_000) -> pd.DataFrame:
    """The matching events for a CSV / Excel export, newest first, capped at `limit` rows."""
    query = _table_select().where(*conditions(filters, scope)).order_by(Event.reported_at.desc(), Event.id.desc())
    return rows_frame(session, query.limit(limit), TABLE_COLUMNS)


def _table_select() -> Any:
    return select(*(getattr(Event, c) for c in TABLE_COLUMNS))


@dataclass(frozen=True)
class EventDetail:
    """One event for its detail panel: fields, SLA card, each department's dispatch and the lifecycle history."""

    event: dict[str, Any]
    card: str
    dispatches: pd.DataFrame
    history: pd.DataFrame = field(default_factory=pd.DataFrame)


def detail(*, session: Session, event_id: int, scope: Scope = CITY_WIDE,
           now: datetime | None = None) -> EventDetail | None:
    """The event `event_id` if the scope may see it, else None. Reporter contact comes unmasked: the page masks."""
    now = now or datetime.now(UTC)
    event = session.execute(select(Event).where(Event.id == event_id, *conditions(ALL_EVENTS, scope))).scalar()
    if event is None:
        return None
    fields = {c.name: getattr(event, c.name) for c in Event.__table__.columns}
    finished = event.closed_at if event.status in FINISHED else None
    card = sla_card(event.reported_at, event.sla_due_at, finished or now)
    dispatch_columns = ["id", "department", "dispatched_at", "accepted_at", "arrived_at", "finished_at", "status"]
    dispatches = rows_frame(session, select(*(getattr(EventDispatch, c) for c in dispatch_columns))
                        .where(EventDispatch.event_id == event_id)
                        .order_by(EventDispatch.dispatched_at, EventDispatch.id),
                        dispatch_columns)
    moves = rows_frame(session, select(EventTransition.at, EventTransition.from_status, EventTransition.to_status,
                                   EventTransition.user, EventTransition.comment)
                   .where(EventTransition.event_id == event_id).order_by(EventTransition.at, EventTransition.id),
                   ["at", "from_status", "to_status", "user", "comment"])
    return EventDetail(fields, card, dispatches, moves)


def open_by_district(*, session: Session, now: datetime | None = None, scope: Scope = CITY_WIDE) -> pd.DataFrame:
    """Per district: open events and how many of them are overdue (columns district, open, overdue)."""
    frame = counts_by_district(session=session, filters=EventFilter(status=("open",)), scope=scope, now=now)
    return frame[["district", "open", "overdue"]]


def recent_points(*, session: Session, hours: int = 24, limit: int = 20_000, now: datetime | None = None,
                  scope: Scope = CITY_WIDE) -> pd.DataFrame:
    """Open events reported in the last `hours`, newest first, capped at `limit` points for the wall map: id,
    lat, lon, severity, the columns it draws, as plain values (at 10 M events the query takes 3 ms, and turning
    eight columns with two timestamps into Python objects took 40). Cached per scope (and `now` to the TTL), so
    the walls of one scope share one query."""

    def compute() -> pd.DataFrame:
        moment = now or datetime.now(UTC)
        query = (
            select(Event.id, Event.lat, Event.lon, Event.severity)
            .where(Event.reported_at >= moment - timedelta(hours=hours), Event.status.not_in(FINISHED),
                   Event.lat.is_not(None), *conditions(ALL_EVENTS, scope))
            .order_by(Event.reported_at.desc(), Event.id.desc())
            .limit(limit)
        )
        return rows_frame(session, query, ["id", "lat", "lon", "severity"], plain=True)

    return _cached(session, "recent_points", scope, (hours, limit, moment_key(now)), compute)
