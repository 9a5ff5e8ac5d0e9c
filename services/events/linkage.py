"""Linkage (联动) analytics: how fast each department answers its dispatches, where work piles up, how many events
need several departments, and how that moves over time.

Durations are differences of timestamps computed in SQL (seconds since the epoch on both backends), so only numbers
travel; percentiles are taken with pandas (linear interpolation, as `Series.quantile`) because SQLite has no
percentile function. Every query takes the page's `EventFilter` and the caller's `scope`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import ColumnElement, Float, case, cast, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from services.access import CITY_WIDE, Scope
from services.events.queries import ALL_EVENTS, FINISHED, EventFilter, conditions, rows_frame
from services.store import Department, Event, EventDispatch

STAGES = ("accept", "arrive", "finish")
STAT_COLUMNS = ["department", "dispatches", *(f"{s}_{q}" for s in STAGES for q in ("p50", "p90")), "open", "overdue",
                "rank"]


def department_names(*, session: Session, lang: str) -> dict[str, str]:
    """Every department's name in `lang` (zh-CN, else English) by code: how pages label dispatches and filters."""
    name = Department.name_zh if lang == "zh-CN" else Department.name_en
    return {code: text for code, text in session.execute(select(Department.code, name))}


def _epoch(session: Session, column: InstrumentedAttribute[datetime] | InstrumentedAttribute[datetime | None]
           ) -> ColumnElement[float]:
    """Seconds since 1970 of a UTC timestamp column, in the store's own SQL."""
    if session.get_bind().dialect.name == "sqlite":
        return cast((func.julianday(column) - 2440587.5) * 86400.0, Float)
    return func.date_part("epoch", column)  # float8 already: EXTRACT would make a numeric to cast back


def dispatch_durations(*, session: Session, filters: EventFilter = ALL_EVENTS, scope: Scope = CITY_WIDE,
                       now: datetime | None = None) -> pd.DataFrame:
    """One row per dispatch of a matching event: department, minutes from dispatch to accept / arrive / finish
    (NaN while not reached), open (not finished) and overdue (open while its event is past its SLA)."""
    now = now or datetime.now(UTC)
    start = _epoch(session, EventDispatch.dispatched_at)
    query = (select(EventDispatch.department,
                    (_epoch(session, EventDispatch.accepted_at) - start) / 60.0,
                    (_epoch(session, EventDispatch.arrived_at) - start) / 60.0,
                    (_epoch(session, EventDispatch.finished_at) - start) / 60.0,
                    case((EventDispatch.finished_at.is_(None), 1), else_=0),
                    case((EventDispatch.finished_at.is_(None) & (Event.sla_due_at < now)
                          & Event.status.not_in(FINISHED), 1), else_=0))
             .join(Event, Event.id == EventDispatch.event_id)
             .where(*conditions(filters, scope), scope.department_filter(EventDispatch.department)))
    columns = ["department", *STAGES, "open", "overdue"]
    frame = rows_frame(session, query, columns)
    return frame.astype({stage: "float64" for stage in STAGES} | {"open": "int64", "overdue": "int64"})


def department_stats(*, session: Session, filters: EventFilter = ALL_EVENTS, scope: Scope = CITY_WIDE,
                     now: datetime | None = None) -> pd.DataFrame:
    """Per department: dispatches, median and p90 minutes to accept / arrive / finish, open and overdue dispatches,
    and `rank` as the bottleneck (1 = the department holding the most overdue work, then the slowest p90 finish)."""
    durations = dispatch_durations(session=session, filters=filters, scope=scope, now=now)
    if durations.empty:
        return pd.DataFrame(columns=STAT_COLUMNS)
    grouped = durations.groupby("department")
    stats = pd.DataFrame({"dispatches": grouped.size()})
    for stage in STAGES:
        stats[f"{stage}_p50"] = grouped[stage].quantile(0.5)
        stats[f"{stage}_p90"] = grouped[stage].quantile(0.9)
    stats[["open", "overdue"]] = grouped[["open", "overdue"]].sum()
    stats = stats.sort_values(["overdue", "finish_p90"], ascending=False, na_position="last")
    stats["rank"] = range(1, len(stats) + 1)
    return stats.reset_index()[STAT_COLUMNS]


def _departments_per_event(session: Session, filters: EventFilter, scope: Scope) -> pd.DataFrame:
    """Matching events that were dispatched: reported time (epoch seconds) and how many departments took part."""
    per_event = (select(EventDispatch.event_id, func.count(func.distinct(EventDispatch.department)).label("n"))
                 .group_by(EventDispatch.event_id).subquery())
    query = (select(_epoch(session, Event.reported_at), per_event.c.n)
             .join(per_event, per_event.c.event_id == Event.id).where(*conditions(filters, scope)))
    return rows_frame(session, query, ["reported", "departments"])


def multi_department_share(*, session: Session, filters: EventFilter = ALL_EVENTS,
                           scope: Scope = CITY_WIDE) -> float | None:
    """The share of dispatched events that needed two or more departments (None when nothing was dispatched)."""
    per_event = (select(func.count(func.distinct(EventDispatch.department)).label("n"))
                 .join(Event, Event.id == EventDispatch.event_id).where(*conditions(filters, scope))
                 .group_by(EventDispatch.event_id).subquery())
    total, multi = session.execute(select(func.count(), func.sum(case((per_event.c.n >= 2, 1), else_=0)))).one()
    return float(multi) / total if total else None


def trends(*, session: Session, zone: ZoneInfo, filters: EventFilter = ALL_EVENTS, scope: Scope = CITY_WIDE,
           freq: str = "D") -> pd.DataFrame:
    """Per local day (or `freq`): dispatched events and the share needing two or more departments."""
    frame = _departments_per_event(session, filters, scope)
    if frame.empty:
        return pd.DataFrame(columns=["period", "events", "multi_share"])
    stamps = pd.to_datetime(frame["reported"], unit="s", utc=True).dt.tz_convert(zone)
    frame["period"] = stamps.dt.tz_localize(None).dt.to_period(freq).dt.start_time
    frame["multi"] = frame["departments"] >= 2
    out = frame.groupby("period").agg(events=("multi", "size"), multi_share=("multi", "mean")).reset_index()
    return out
