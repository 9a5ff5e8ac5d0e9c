"""How fast events are answered on the ground: mean time to dispatch and mean time to arrival, by department or
district, and per local day.

Over the dispatches (联动) of events reported in the window, cancelled events left out: time to dispatch is the
dispatch's `dispatched_at` − the event's `reported_at`, time to arrival its `arrived_at` − `reported_at` (what the
reporter waited for someone on site; dispatches not arrived yet count in neither mean of arrival). A district's
figure is over its events' dispatches. Differences are taken in SQL with linkage's epoch seconds and summed there,
so only the groups travel; negative spans (clocks out of step) count as zero. A window is read once, as cells per
local day × department × district that every breakdown and the daily trend sum (the analytics tab's three reads
were one each): the whole hours from the dispatch rollup's level 0 (`services.events.rollup`, the same sums kept
per hour) and only the edges raw; a scope limited to departments reads raw (its events are the ones any of its
departments was dispatched to), and so does a zone whose offset is not whole hours (an hour's cell would straddle
two local days).
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Integer, case, cast, func, select
from sqlalchemy.orm import Session

from services.access import CITY_WIDE, Scope
from services.events import rollup as dispatch_rollup
from services.events.linkage import _epoch
from services.events.queries import ALL_EVENTS as EVERY_EVENT
from services.events.queries import CACHE, conditions
from services.store import DispatchRollup, Event, EventDispatch
from services.store.cache import cached_query
from services.zones import utc_offset

GROUPS = ("department", "district", "all")
COLUMNS = ["key", "dispatches", "dispatch_min", "arrived", "arrival_min"]
CELL = DispatchRollup.__table__.c


def _clamped(seconds: ColumnElement[Any]) -> ColumnElement[Any]:
    return case((seconds < 0, 0.0), else_=seconds)


KEYS = ["day", "department", "district"]
SUMS = ["dispatches", "dispatch_s", "arrived", "arrival_s"]


def _raw(session: Session, start: datetime, end: datetime, scope: Scope, offset: int) -> list[tuple[Any, ...]]:
    reported = _epoch(session, Event.reported_at)
    to_dispatch = _clamped(_epoch(session, EventDispatch.dispatched_at) - reported)
    to_arrive = case((EventDispatch.arrived_at.is_(None), None),
                     else_=_clamped(_epoch(session, EventDispatch.arrived_at) - reported))
    keys = (cast(func.floor((reported + offset) / 86400.0), Integer), EventDispatch.department,
            func.coalesce(Event.district, ""))
    stmt = (select(*keys, func.count(), func.sum(to_dispatch), func.count(to_arrive), func.sum(to_arrive))
            .join_from(EventDispatch, Event, Event.id == EventDispatch.event_id)
            .where(Event.reported_at >= start, Event.reported_at < end, Event.status != "cancelled",
                   *conditions(EVERY_EVENT, scope), scope.department_filter(EventDispatch.department))
            .group_by(*keys))
    return [tuple(r) for r in session.execute(stmt)]


def _rolled(session: Session, start: datetime, end: datetime, scope: Scope, offset: int) -> list[tuple[Any, ...]]:
    keys = ((CELL.bucket + offset) // 86400, CELL.department, CELL.district)
    stmt = (select(*keys, func.sum(CELL.dispatches), func.sum(CELL.dispatch_s), func.sum(CELL.arrived),
                   func.sum(CELL.arrival_s))
            .where(CELL.level == dispatch_rollup.RESPONSE, CELL.bucket >= int(start.timestamp()),
                   CELL.bucket < int(end.timestamp()), scope.district_filter(CELL.district))
            .group_by(*keys))
    return [tuple(r) for r in session.execute(stmt)]


@cached_query(CACHE)
def _cells(*, session: Session, start: datetime, end: datetime, scope: Scope, offset: int) -> pd.DataFrame:
    """The sums over [start, end) per local day (at `offset`) × department × district: the rollup's whole hours and
    the raw edges (all raw for a scope of departments, or an offset that is not whole hours)."""
    lo, hi = dispatch_rollup.aligned(start, end)
    if scope.departments or offset % 3600 or lo >= hi:
        rows = _raw(session, start, end, scope, offset)
    else:
        rows = [*_rolled(session, lo, hi, scope, offset),
                *(_raw(session, start, lo, scope, offset) if start < lo else []),
                *(_raw(session, hi, end, scope, offset) if hi < end else [])]
    frame = pd.DataFrame(rows, columns=KEYS + SUMS)
    frame[["dispatch_s", "arrival_s"]] = frame[["dispatch_s", "arrival_s"]].astype("float64").fillna(0.0)
    return frame.astype({"day": "int64", "dispatches": "int64", "arrived": "int64"})


def _means(cells: pd.DataFrame, key: pd.Series) -> pd.DataFrame:
    """The cells summed per `key`, with the mean minutes to dispatch and to arrival."""
    frame = cells.assign(key=key).groupby("key", as_index=False)[SUMS].sum()
    frame["dispatch_min"] = frame["dispatch_s"] / frame["dispatches"].where(frame["dispatches"] > 0) / 60
    frame["arrival_min"] = frame["arrival_s"] / frame["arrived"].where(frame["arrived"] > 0) / 60
    return frame.astype({"dispatches": "int64", "arrived": "int64"})


@cached_query(CACHE)
def dispatch_times(*, session: Session, start: datetime, end: datetime, by: str, scope: Scope = CITY_WIDE,
                   zone: tzinfo = UTC) -> pd.DataFrame:
    """Mean minutes to dispatch and to arrival per department or district ('' for no district), or of all (one
    row), most dispatches first (columns `COLUMNS`). The figures do not depend on `zone`; given the trend's, both
    read the same cells."""
    if by not in GROUPS:
        raise ValueError(f"by must be one of {', '.join(GROUPS)}, got {by!r}")
    cells = _cells(session=session, start=start, end=end, scope=scope, offset=utc_offset(start, zone))
    key = pd.Series("all", index=cells.index) if by == "all" else cells[by]
    frame = _means(cells, key)
    return frame.sort_values(["dispatches", "key"], ascending=[False, True], ignore_index=True)[COLUMNS]


@cached_query(CACHE)
def dispatch_trend(*, session: Session, start: datetime, end: datetime, zone: tzinfo, scope: Scope = CITY_WIDE
                   ) -> pd.DataFrame:
    """Per local day the events were reported (zone's offset at `start`: exact without daylight saving): dispatches
    and the mean minutes to dispatch and to arrival (columns day and `COLUMNS[1:]`)."""
    cells = _cells(session=session, start=start, end=end, scope=scope, offset=utc_offset(start, zone))
    frame = _means(cells, cells["day"])
    frame["day"] = pd.to_datetime(frame["key"].astype("int64") * 86400, unit="s").dt.date
    return frame.sort_values("day", ignore_index=True)[["day", *COLUMNS[1:]]]
