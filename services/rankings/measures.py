"""What a department or district has to answer for over a window, summed in SQL: the counts the rankings judge.

Per unit (`key`: a department code or a district adcode):
- approvals (read from the rollup through `services.approvals.outcome_counts`, and the open work the rollup's triggers
  keep): `completed` (completed with a time limit), `late` (of those, after it), `received`, `returned` (补正),
  `rated`, `bad` (好差评 levels 1–2), `overdue_apps` (open now and past the limit);
- events: `cases` (districts: events reported in the window with a time limit; departments: their dispatches of
  such events), `cases_late` (finished after the event's limit, or still open past it), `overdue_events` (open now
  and past the limit: the index on status, district and due time reads them).
Cancelled events count nowhere. Event and application counts are kept apart: a rate is never taken over a mix.
The window's whole hours of `cases` and of the lateness that no longer moves (finished or closed after the limit)
come from the dispatch rollup (`services.events.rollup`, levels 1 and 2), its edges raw; what is late because it is
still open at `now` is read from the open events (the status index). A scope limited to departments reads raw.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from services.access import CITY_WIDE, Scope
from services.approvals import ALL, outcome_counts
from services.approvals.cells import cell_filters
from services.approvals.queries import matter_catalog
from services.events import rollup as dispatch_rollup
from services.events.queries import ALL_EVENTS, FINISHED, OPEN, conditions
from services.store import ApprovalOpenWork, DispatchRollup, Event, EventDispatch

UNITS = ("department", "district")
COLUMNS = ["completed", "late", "received", "returned", "rated", "bad", "overdue_apps", "cases", "cases_late",
           "overdue_events"]


def _frame(rows: Any, columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame([tuple(r) for r in rows], columns=["key", *columns])
    frame["key"] = frame["key"].fillna("").astype(str)
    return frame.groupby("key")[columns].sum()


def _approvals(session: Session, start: datetime, end: datetime, now: datetime, by: str, scope: Scope
               ) -> pd.DataFrame:
    table = outcome_counts(session=session, start=start, end=end, by=by, scope=scope).set_index("key")
    out = pd.DataFrame({"completed": table["with_due"], "late": table["with_due"] - table["on_time"],
                        "received": table["received"], "returned": table["returned"], "rated": table["rated"],
                        "bad": table["bad_reviews"]})
    work = ApprovalOpenWork
    column = work.matter_code if by == "department" else work.district
    rows = session.execute(select(column, func.count()).where(work.due_at < now, *cell_filters(
        session, scope, ALL, work)).group_by(column)).all()
    overdue = _frame(rows, ["overdue_apps"])
    if by == "department":
        overdue = overdue.groupby(overdue.index.map(matter_catalog(session)["department"]))[["overdue_apps"]].sum()
    return out.join(overdue, how="outer")


def _raw_cases(start: datetime, end: datetime, by: str, scope: Scope, late: ColumnElement[bool]
               ) -> Select[*tuple[Any, ...]]:
    """Cases and the ones `late` per unit over [start, end), raw (all of lateness, or only its settled part)."""
    scoped = [*conditions(ALL_EVENTS, scope), Event.sla_due_at.is_not(None), Event.status != "cancelled"]
    if by == "district":
        return select(Event.district, func.count(), func.sum(case((late, 1), else_=0))).where(
            Event.reported_at >= start, Event.reported_at < end, *scoped).group_by(Event.district)
    dispatch = EventDispatch
    return (select(dispatch.department, func.count(), func.sum(case((late, 1), else_=0)))
            .join_from(dispatch, Event, Event.id == dispatch.event_id)
            .where(*scoped, scope.department_filter(dispatch.department), dispatch.dispatched_at >= start,
                   dispatch.dispatched_at < end).group_by(dispatch.department))


def _window(session: Session, start: datetime, end: datetime, now: datetime, by: str, scope: Scope
            ) -> list[tuple[Any, ...]]:
    """(unit, cases, cases_late) rows over the window, to be summed per unit."""
    settled = (Event.closed_at > Event.sla_due_at if by == "district"
               else EventDispatch.finished_at > Event.sla_due_at)
    open_late = (and_(Event.status.not_in(FINISHED), Event.sla_due_at < now) if by == "district"
                 else and_(EventDispatch.finished_at.is_(None), Event.status.not_in(FINISHED),
                           Event.sla_due_at < now))
    lo, hi = dispatch_rollup.aligned(start, end)
    if scope.departments or lo >= hi:
        return [tuple(r) for r in session.execute(_raw_cases(start, end, by, scope, or_(settled, open_late)))]
    cell = DispatchRollup.__table__.c
    key = cell.district if by == "district" else cell.department
    level = dispatch_rollup.EVENT_CASES if by == "district" else dispatch_rollup.DISPATCH_CASES
    rows = [tuple(r) for r in session.execute(
        select(key, func.sum(cell.cases), func.sum(cell.cases_late)).where(
            cell.level == level, cell.bucket >= int(lo.timestamp()), cell.bucket < int(hi.timestamp()),
            scope.district_filter(cell.district)).group_by(key))]
    for a, b in ((start, lo), (hi, end)):
        if a < b:
            rows += [tuple(r) for r in session.execute(_raw_cases(a, b, by, scope, settled))]
    # open now and past the limit, not already counted as settled late (closed_at can outlive a reopening)
    still_open = and_(open_late, or_(Event.closed_at.is_(None), Event.closed_at <= Event.sla_due_at)) \
        if by == "district" else open_late
    query = _raw_cases(start, end, by, scope, still_open).where(Event.status.in_(OPEN), still_open)
    rows += [(key, 0, late) for key, _, late in session.execute(query)]  # every row is late: cases counted above
    return rows


def _events(session: Session, start: datetime, end: datetime, now: datetime, by: str, scope: Scope) -> pd.DataFrame:
    scoped = [*conditions(ALL_EVENTS, scope), Event.sla_due_at.is_not(None), Event.status != "cancelled"]
    if by == "district":
        overdue = select(Event.district, func.count()).where(
            Event.status.in_(OPEN), Event.sla_due_at < now, *scoped).group_by(Event.district)
    else:
        dispatch = EventDispatch
        overdue = (select(dispatch.department, func.count()).join_from(dispatch, Event, Event.id == dispatch.event_id)
                   .where(*scoped, scope.department_filter(dispatch.department), Event.status.in_(OPEN),
                          Event.sla_due_at < now, dispatch.finished_at.is_(None)).group_by(dispatch.department))
    return _frame(_window(session, start, end, now, by, scope), ["cases", "cases_late"]).join(
        _frame(session.execute(overdue).all(), ["overdue_events"]), how="outer")


def unit_measures(*, session: Session, by: str, start: datetime, end: datetime, now: datetime,
                  scope: Scope = CITY_WIDE) -> pd.DataFrame:
    """The counts of the module docstring per unit over [start, end), judged at `now`, indexed by `key` (units
    with nothing at all are left out; '' is work with no district)."""
    if by not in UNITS:
        raise ValueError(f"by must be one of {', '.join(UNITS)}, got {by!r}")
    frame = _approvals(session, start, end, now, by, scope).join(_events(session, start, end, now, by, scope),
                                                                 how="outer")
    frame = frame.reindex(columns=COLUMNS).fillna(0).astype("int64")
    frame.index.name = "key"
    return frame[frame.sum(axis=1) > 0].sort_index()
