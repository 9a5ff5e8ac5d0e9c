"""What a department or district has to answer for over a window, summed in SQL: the counts the rankings judge.

Per unit (`key`: a department code or a district adcode):
- approvals (read from the rollup through `services.approvals.outcome_counts`, and the open work the rollup's triggers
  keep): `completed` (completed with a time limit), `late` (of those, after it), `received`, `returned` (补正),
  `rated`, `bad` (好差评 levels 1–2), `overdue_apps` (open now and past the limit);
- events: `cases` (districts: events reported in the window with a time limit; departments: their dispatches of
  such events), `cases_late` (finished after the event's limit, or still open past it), `overdue_events` (open now
  and past the limit: the open events' index reads them).
Cancelled events count nowhere. Event and application counts are kept apart: a rate is never taken over a mix.
The window's whole hours of `cases` and of the lateness that no longer moves (finished or closed after the limit)
come from the dispatch rollup (`services.events.rollup`, levels 1 and 2), its edges raw; what is late because it is
still open at `now` is read from the open events' index. A scope limited to departments reads raw.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select, true
from sqlalchemy.orm import Session

from services.access import CITY_WIDE, Scope
from services.approvals import ALL, outcome_counts
from services.approvals.cells import cell_filters
from services.approvals.queries import matter_catalog
from services.events import rollup as dispatch_rollup
from services.events.queries import ALL_EVENTS, OPEN, conditions
from services.store import ApprovalOpenWork, DispatchRollup, Event, EventDispatch

UNITS = ("department", "district")
COLUMNS = ["completed", "late", "received", "returned", "rated", "bad", "overdue_apps", "cases", "cases_late",
           "overdue_events"]


Tally = dict[str, dict[str, int]]


def _add(tally: Tally, rows: Any, columns: tuple[str, ...]) -> None:
    """Adds each (unit, *counts) row to its unit's `columns` (a few dozen rows: plain dicts, not frames)."""
    for key, *values in rows:
        counts = tally.setdefault("" if key is None else str(key), dict.fromkeys(COLUMNS, 0))
        for column, value in zip(columns, values, strict=True):
            counts[column] += int(value or 0)


def _approvals(tally: Tally, session: Session, start: datetime, end: datetime, now: datetime | None, by: str,
               scope: Scope) -> None:
    table = outcome_counts(session=session, start=start, end=end, by=by, scope=scope)
    _add(tally, zip(table["key"], table["with_due"], table["with_due"] - table["on_time"], table["received"],
                    table["returned"], table["rated"], table["bad_reviews"], strict=True),
         ("completed", "late", "received", "returned", "rated", "bad"))
    if now is None:
        return
    work = ApprovalOpenWork
    column = work.matter_code if by == "department" else work.district
    rows: list[tuple[Any, ...]] = [tuple(r) for r in session.execute(select(column, func.count()).where(
        work.due_at < now, *cell_filters(session, scope, ALL, work)).group_by(column))]
    if by == "department":
        department = matter_catalog(session)["department"]
        rows = [(department[matter], count) for matter, count in rows if matter in department.index]
    _add(tally, rows, ("overdue_apps",))


def _raw_cases(start: datetime, end: datetime, by: str, scope: Scope, late: ColumnElement[bool]
               ) -> Select[*tuple[Any, ...]]:
    """Cases and the ones `late` per unit over [start, end), raw."""
    scoped = [*conditions(ALL_EVENTS, scope), Event.sla_due_at.is_not(None), Event.status != "cancelled"]
    if by == "district":
        return select(Event.district, func.count(), func.sum(case((late, 1), else_=0))).where(
            Event.reported_at >= start, Event.reported_at < end, *scoped).group_by(Event.district)
    dispatch = EventDispatch
    return (select(dispatch.department, func.count(), func.sum(case((late, 1), else_=0)))
            .join_from(dispatch, Event, Event.id == dispatch.event_id)
            .where(*scoped, scope.department_filter(dispatch.department), dispatch.dispatched_at >= start,
                   dispatch.dispatched_at < end).group_by(dispatch.department))


def _settled(tally: Tally, session: Session, start: datetime, end: datetime, by: str, scope: Scope) -> None:
    """Cases and the settled late ones (finished or closed after the limit) over the window: its whole hours from
    the rollup, its edges raw (all raw for a scope limited to departments, which the rollup does not key)."""
    settled = (Event.closed_at > Event.sla_due_at if by == "district"
               else EventDispatch.finished_at > Event.sla_due_at)
    columns = ("cases", "cases_late")
    lo, hi = dispatch_rollup.aligned(start, end)
    if scope.departments or lo >= hi:
        _add(tally, session.execute(_raw_cases(start, end, by, scope, settled)), columns)
        return
    cell = DispatchRollup.__table__.c
    key = cell.district if by == "district" else cell.department
    level = dispatch_rollup.EVENT_CASES if by == "district" else dispatch_rollup.DISPATCH_CASES
    _add(tally, session.execute(select(key, func.sum(cell.cases), func.sum(cell.cases_late)).where(
        cell.level == level, cell.bucket >= int(lo.timestamp()), cell.bucket < int(hi.timestamp()),
        scope.district_filter(cell.district)).group_by(key)), columns)
    for a, b in ((start, lo), (hi, end)):
        if a < b:
            _add(tally, session.execute(_raw_cases(a, b, by, scope, settled)), columns)


def _open_late(tally: Tally, session: Session, start: datetime, end: datetime, now: datetime, by: str,
               scope: Scope, overdue: bool) -> None:
    """What is open at `now` and past its limit, read once through the open events' index (ix_events_open_due):
    the window's part is late (its cases are counted by `_settled`), and with `overdue` all of it is the unit's
    overdue work. Departments answer for their unfinished dispatches of such events."""
    scoped = [*conditions(ALL_EVENTS, scope), Event.status.in_(OPEN), Event.sla_due_at < now]
    if by == "district":
        key, when = Event.district, Event.reported_at
        # closed_at can outlive a reopening: an event closed after its limit is already counted as settled late
        fresh: ColumnElement[bool] = or_(Event.closed_at.is_(None), Event.closed_at <= Event.sla_due_at)
        query = select(key).where(*scoped)
    else:
        dispatch = EventDispatch
        key, when, fresh = dispatch.department, dispatch.dispatched_at, true()
        query = (select(key).join_from(dispatch, Event, Event.id == dispatch.event_id)
                 .where(*scoped, scope.department_filter(dispatch.department), dispatch.finished_at.is_(None)))
    in_window = and_(when >= start, when < end, fresh)
    if overdue:
        query = query.add_columns(func.sum(case((in_window, 1), else_=0)), func.count())
        _add(tally, session.execute(query.group_by(key)), ("cases_late", "overdue_events"))
    else:
        _add(tally, session.execute(query.add_columns(func.count()).where(in_window).group_by(key)), ("cases_late",))


def unit_measures(*, session: Session, by: str, start: datetime, end: datetime, now: datetime,
                  scope: Scope = CITY_WIDE, overdue: bool = True) -> pd.DataFrame:
    """The counts of the module docstring per unit over [start, end), judged at `now`, indexed by `key` (units
    with nothing at all are left out; '' is work with no district). Without `overdue`, `overdue_apps` and
    `overdue_events` stay 0 and are not read: a past window's places do not depend on them."""
    if by not in UNITS:
        raise ValueError(f"by must be one of {', '.join(UNITS)}, got {by!r}")
    tally: Tally = {}
    _approvals(tally, session, start, end, now if overdue else None, by, scope)
    _settled(tally, session, start, end, by, scope)
    _open_late(tally, session, start, end, now, by, scope, overdue)
    frame = pd.DataFrame.from_dict(tally, orient="index", columns=list(COLUMNS), dtype="int64")
    frame.index.name = "key"
    return frame[frame.sum(axis=1) > 0].sort_index()
