"""Government-service (一网通办) approvals: the slice of applications a view looks at, and their throughput.

Every query joins an application to its matter, applies the caller's `Scope` (department scope on the matter's
department, district scope on the application's district) and the view's `Slice` in SQL, and buckets time on whole
epoch seconds computed by the database, so SQLite and PostgreSQL return the same numbers. Throughput on whole
hours reads the rollup's hour cells (`services.approvals.cells`); the summary metrics live in
`services.approvals.metrics`, the reformers' findings in `services.approvals.findings`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, TypeAlias, TypeVar

import numpy as np
import pandas as pd
from sqlalchemy import BigInteger, ColumnElement, Integer, Select, cast, func, select
from sqlalchemy.orm import Session

from services.access import CITY_WIDE, Scope
from services.approvals.cells import hourly_counts
from services.store import Application, Department, Matter
from services.store.cache import Namespace, cached_query

ONLINE_CHANNELS = ("online", "mobile")
GROUPS = ("department", "matter", "district", "channel")
AnySelect: TypeAlias = Select[*tuple[Any, ...]]
# What the approval views read: a commit writing applications (whose triggers keep the rollup) or the catalog
# invalidates them.
CACHE = Namespace("approvals", tables=("applications", "matters", "departments"))
T = TypeVar("T")


@dataclass(frozen=True)
class Slice:
    """What the view has drilled into (None = all); hashable, so it can be part of a cache key or URL state."""

    department: str | None = None
    matter: str | None = None
    district: str | None = None
    channel: str | None = None


ALL = Slice()


def epoch(session: Session, column: Any) -> ColumnElement[int]:
    """Whole UTC epoch seconds of a timestamp column, floored the same way on both backends."""
    if session.get_bind().dialect.name == "sqlite":  # stored as 'YYYY-MM-DD HH:MM:SS.ffffff' (naive UTC); the
        # fraction is cut, as unixepoch would round it; unixepoch (SQLite 3.38) costs a fifth of strftime('%s')
        return cast(func.unixepoch(func.substr(column, 1, 19)), Integer)
    # date_part is float8, exact to the microsecond for these dates (so the same floor); EXTRACT is numeric since
    # PostgreSQL 14 and costs twice as much a row (14 000 alerts' MTTA sums: 23 against 12 ms)
    return cast(func.floor(func.date_part("epoch", column)), BigInteger)


def grouped(stmt: AnySelect, by: str | None) -> AnySelect:
    """`stmt` grouped by matter, and by district or channel when `by` names one (a department is a set of
    matters: `rollup` sums the matters' rows to it), so no query needs to join the matters table."""
    if by is not None and by not in GROUPS:
        raise ValueError(f"by must be one of {', '.join(GROUPS)} or None, got {by!r}")
    columns = [Application.matter_code.label("matter")]
    if by in ("district", "channel"):
        columns.append(func.coalesce(getattr(Application, by), "").label(by))
    return stmt.add_columns(*columns).group_by(*[c.element for c in columns])


def matter_catalog(session: Session) -> pd.DataFrame:
    """The matters' attributes the metrics roll up with (a few dozen rows), indexed by code."""
    rows = session.execute(select(Matter.code, Matter.department, Matter.kind, Matter.statutory_days,
                                  Matter.promised_days, Matter.bundle)).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=["code", "department", "kind", "statutory_days",
                                                           "promised_days", "bundle"]).set_index("code")


def group_keys(frame: pd.DataFrame, by: str | None, catalog: pd.DataFrame) -> pd.Series:
    """The group each row of `frame` (rows from a `grouped` query or the rollup) belongs to."""
    if by is None:
        return pd.Series("all", index=frame.index)
    if by == "department":
        return frame["matter"].map(catalog["department"])
    return frame["matter" if by == "matter" else by]


def with_key(frame: pd.DataFrame, by: str | None, catalog: pd.DataFrame) -> pd.DataFrame:
    """`frame` with the group's `key` column."""
    return frame.assign(key=group_keys(frame, by, catalog))


def rows(session: Session, stmt: Any) -> pd.DataFrame:
    """A query's rows as a frame (built from plain tuples: pandas is slow on SQLAlchemy Row objects)."""
    result = session.execute(stmt)
    return pd.DataFrame([tuple(r) for r in result], columns=list(result.keys()))


def scoped(stmt: AnySelect, scope: Scope, where: Slice) -> AnySelect:
    """`stmt` over applications limited to the scope and the slice; a department limit is a matter-code list
    (a subquery on the small matters table), which lets the (matter, submitted) index serve it."""
    stmt = stmt.select_from(Application).where(scope.district_filter(Application.district))
    departments = [d for d in (where.department,) if d is not None] or sorted(scope.departments)
    if departments:
        stmt = stmt.where(Application.matter_code.in_(select(Matter.code).where(Matter.department.in_(departments),
                                                                               scope.department_filter(Matter.department))))
    for column, value in ((Application.matter_code, where.matter), (Application.district, where.district),
                          (Application.channel, where.channel)):
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt


def _per_bucket(session: Session, column: Any, start: datetime, end: datetime, step: int, scope: Scope,
                where: Slice) -> pd.Series:
    bucket = (epoch(session, column) - int(start.timestamp())) // step
    rows = session.execute(scoped(select(bucket, func.count()), scope, where)
                           .where(column >= start, column < end).group_by(bucket)).all()
    return pd.Series({int(b): int(n) for b, n in rows}, dtype="int64")


def _count(session: Session, scope: Scope, where: Slice, *conditions: ColumnElement[bool]) -> int:
    return int(session.scalar(scoped(select(func.count()), scope, where).where(*conditions)) or 0)


def throughput(*, session: Session, start: datetime, end: datetime, step: timedelta, scope: Scope = CITY_WIDE,
               where: Slice = ALL) -> pd.DataFrame:
    """Applications received and completed in each `step` from `start` (aligned by the caller) to `end`, and
    the backlog (received, not completed) at the end of each step; empty steps are zeros, not gaps. Windows on
    whole hours read the rollup's hour cells; others (or a channel slice) count applications."""
    seconds = int(step.total_seconds())
    buckets = pd.date_range(start, end, freq=step, inclusive="left")
    index = range(len(buckets))
    cells = hourly_counts(session=session, start=start, scope=scope, where=where) if seconds % 3600 == 0 else None
    if cells is None:
        received, completed = (_per_bucket(session, column, start, end, seconds, scope, where).reindex(
            index, fill_value=0).to_numpy() for column in (Application.submitted_at, Application.completed_at))
        # backlog at `start` from three index-range counts: open then = open now + completed since - received since
        before = (_count(session, scope, where, Application.completed_at.is_(None))
                  + _count(session, scope, where, Application.completed_at >= start)
                  - _count(session, scope, where, Application.submitted_at >= start))
    else:
        counts, before = cells
        steps = (counts["bucket"].to_numpy() - int(start.timestamp())) // seconds
        inside = steps < len(buckets)  # the hours from `start` on, up to the newest cell
        received, completed = (np.bincount(steps[inside], counts[c].to_numpy()[inside], len(buckets)).astype(np.int64)
                               for c in ("received", "completed"))
    flow = received - completed
    return pd.DataFrame({"bucket": buckets, "received": received, "completed": completed,
                         "backlog": before + np.cumsum(flow)})


def hourly_throughput(*, session: Session, hours: int = 24, now: datetime | None = None,
                      scope: Scope = CITY_WIDE, where: Slice = ALL) -> pd.DataFrame:
    """The last `hours` whole hours up to the current one (columns hour, received, completed, backlog), as the
    wall's panel shows them; the current hour is still filling. Cached per current hour, not per `now`: every
    wall asking within the hour shares the entry until a write or its lifetime ends."""
    now = now or datetime.now(UTC)
    end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return _hours_until(session=session, hours=hours, end=end, scope=scope, where=where)


@cached_query(CACHE)
def _hours_until(*, session: Session, hours: int, end: datetime, scope: Scope, where: Slice) -> pd.DataFrame:
    frame = throughput(session=session, start=end - timedelta(hours=hours), end=end, step=timedelta(hours=1),
                       scope=scope, where=where)
    return frame.rename(columns={"bucket": "hour"})


@cached_query(CACHE)
def daily_throughput(*, session: Session, days: int, now: datetime, zone: tzinfo, scope: Scope = CITY_WIDE,
                     where: Slice = ALL) -> pd.DataFrame:
    """The last `days` local calendar days up to today (columns day, received, completed, backlog); a day is
    24 h from local midnight, exact for the demo's zone (no daylight saving)."""
    today = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    end = (today + timedelta(days=1)).astimezone(UTC)
    frame = throughput(session=session, start=end - timedelta(days=days), end=end, step=timedelta(days=1),
                       scope=scope, where=where)
    return frame.rename(columns={"bucket": "day"})


def catalog_names(*, session: Session, lang: str) -> dict[str, dict[str, str]]:
    """Display names in `lang` of departments and matters by code, and each matter's department, for labels."""
    zh = lang == "zh-CN"
    departments = session.execute(select(Department.code, Department.name_zh if zh else Department.name_en)).all()
    matters = session.execute(select(Matter.code, Matter.name_zh if zh else Matter.name_en, Matter.department)).all()
    return {"department": {code: name for code, name in departments},
            "matter": {code: name for code, name, _ in matters},
            "matter_department": {code: department for code, _, department in matters}}
