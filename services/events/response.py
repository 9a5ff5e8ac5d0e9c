"""How fast events are answered on the ground: mean time to dispatch and mean time to arrival, by department or
district, and per local day.

Over the dispatches (联动) of events reported in the window, cancelled events left out: time to dispatch is the
dispatch's `dispatched_at` − the event's `reported_at`, time to arrival its `arrived_at` − `reported_at` (what the
reporter waited for someone on site; dispatches not arrived yet count in neither mean of arrival). A district's
figure is over its events' dispatches. Differences are taken in SQL with linkage's epoch seconds and summed there,
so only the groups travel; negative spans (clocks out of step) count as zero.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Integer, case, cast, func, literal, select
from sqlalchemy.orm import Session

from services.access import CITY_WIDE, Scope
from services.events.linkage import _epoch
from services.events.queries import ALL_EVENTS as EVERY_EVENT
from services.events.queries import CACHE, conditions
from services.store import Event, EventDispatch
from services.store.cache import cached_query

GROUPS = ("department", "district", "all")
COLUMNS = ["key", "dispatches", "dispatch_min", "arrived", "arrival_min"]


def _clamped(seconds: ColumnElement[Any]) -> ColumnElement[Any]:
    return case((seconds < 0, 0.0), else_=seconds)


def _sums(session: Session, start: datetime, end: datetime, scope: Scope, key: ColumnElement[Any]
          ) -> pd.DataFrame:
    reported = _epoch(session, Event.reported_at)
    to_dispatch = _clamped(_epoch(session, EventDispatch.dispatched_at) - reported)
    to_arrive = case((EventDispatch.arrived_at.is_(None), None),
                     else_=_clamped(_epoch(session, EventDispatch.arrived_at) - reported))
    stmt = (select(key, func.count(), func.sum(to_dispatch), func.count(to_arrive), func.sum(to_arrive))
            .join_from(EventDispatch, Event, Event.id == EventDispatch.event_id)
            .where(Event.reported_at >= start, Event.reported_at < end, Event.status != "cancelled",
                   *conditions(EVERY_EVENT, scope), scope.department_filter(EventDispatch.department))
            .group_by(key))
    frame = pd.DataFrame([tuple(r) for r in session.execute(stmt)],
                         columns=["key", "dispatches", "dispatch_s", "arrived", "arrival_s"])
    frame[["dispatch_s", "arrival_s"]] = frame[["dispatch_s", "arrival_s"]].astype("float64").fillna(0.0)
    frame["dispatch_min"] = frame["dispatch_s"] / frame["dispatches"].where(frame["dispatches"] > 0) / 60
    frame["arrival_min"] = frame["arrival_s"] / frame["arrived"].where(frame["arrived"] > 0) / 60
    return frame.astype({"dispatches": "int64", "arrived": "int64"})


@cached_query(CACHE)
def dispatch_times(*, session: Session, start: datetime, end: datetime, by: str, scope: Scope = CITY_WIDE
                   ) -> pd.DataFrame:
    """Mean minutes to dispatch and to arrival per department or district ('' for no district), or of all (one
    row), most dispatches first (columns `COLUMNS`)."""
    if by not in GROUPS:
        raise ValueError(f"by must be one of {', '.join(GROUPS)}, got {by!r}")
    key = {"department": EventDispatch.department, "all": literal("all")}.get(by, func.coalesce(Event.district, ""))
    frame = _sums(session, start, end, scope, key.label("key"))
    return frame.sort_values(["dispatches", "key"], ascending=[False, True], ignore_index=True)[COLUMNS]


@cached_query(CACHE)
def dispatch_trend(*, session: Session, start: datetime, end: datetime, zone: tzinfo, scope: Scope = CITY_WIDE
                   ) -> pd.DataFrame:
    """Per local day the events were reported (zone's offset at `start`: exact without daylight saving): dispatches
    and the mean minutes to dispatch and to arrival (columns day and `COLUMNS[1:]`)."""
    offset = int(start.astimezone(zone).utcoffset().total_seconds())  # type: ignore[union-attr]
    day = cast(func.floor((_epoch(session, Event.reported_at) + offset) / 86400.0), Integer).label("key")
    frame = _sums(session, start, end, scope, day)
    frame["day"] = pd.to_datetime(frame["key"].astype("int64") * 86400, unit="s").dt.date
    return frame.sort_values("day", ignore_index=True)[["day", *COLUMNS[1:]]]
