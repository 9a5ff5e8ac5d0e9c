"""Event (incident) queries for the map, the /events table and the wall: one filter, applied in SQL with the scope.

Open means not yet closed or cancelled. Overdue means past its SLA due time while still open (the red card).
`EventFilter` is what an analyst's URL holds (category, status, district, department, time); every query here takes
one, plus the caller's `scope`, and filters in SQL so a million events never travel to Python.

The map's queries (`counts_by_district`, `grid_counts`, `count_matching`, and the points of `services.events.points`)
are cached per (scope, filter) in the session's query cache (`services.store.cache`, namespace `CACHE`): every
browser on the same view costs one query per lifetime, and a commit that writes events or dispatches invalidates
them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pandas as pd
from sqlalchemy import ColumnElement, and_, case, exists, func, select
from sqlalchemy.orm import Session, aliased

from services.access import CITY_WIDE, Scope
from services.events.lifecycle import STATUSES
from services.severity import ASCENDING
from services.sla import sla_card
from services.store import Event, EventDispatch, EventTransition
from services.store.cache import Namespace, cached, moment_key

FINISHED = ("closed", "cancelled")
OPEN = tuple(s for s in STATUSES if s not in FINISHED)
SEVERITIES = (*ASCENDING, "unknown")  # the order of the packed codes and of the frame's categories
CACHE = Namespace("events", tables=("events", "event_dispatches"))
TABLE_COLUMNS = ("id", "reported_at", "category", "subcategory", "severity", "status", "district", "grid", "source",
                 "address", "sla_due_at", "closed_at", "out_of_city")
T = TypeVar("T")


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


def cached_view(session: Session, name: str, scope: Scope, args: Hashable, compute: Callable[[], T]) -> T:
    return cached(session, CACHE, name, scope.key, args, compute)


def count_matching(*, session: Session, filters: EventFilter = ALL_EVENTS, scope: Scope = CITY_WIDE) -> int:
    """How many events match, cached per scope and filter (the "N of M" note under a capped map)."""
    return cached_view(session, "count_matching", scope, filters, lambda: int(session.execute(
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

    return cached_view(session, "counts_by_district", scope, (filters, moment_key(now)), compute)


def grid_counts(*, session: Session, district: str, filters: EventFilter = ALL_EVENTS,
                scope: Scope = CITY_WIDE) -> pd.DataFrame:
    """Matching events per grid cell of one district (cell, events), grouped in SQL by the cell id every event
    carries (given when it is stored: services.demo.simcity, services.geo.locate_events). Cached per scope and filter."""

    def compute() -> pd.DataFrame:
        query = (select(Event.grid, func.count())
                 .where(*conditions(filters, scope), Event.district == district, Event.grid.is_not(None))
                 .group_by(Event.grid))
        return rows_frame(session, query, ["cell", "events"], plain=True).astype({"events": "int64"})

    return cached_view(session, "grid_counts", scope, (district, filters), compute)


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

    return cached_view(session, "recent_points", scope, (hours, limit, moment_key(now)), compute)
