"""The daily briefing (每日简报): one local day of the city in figures, for the leader's PDF and PNG.

A day is a calendar day of the display zone, [local midnight, next local midnight), yesterday by default.
Everything is counted in SQL within the caller's `scope`, through the same services the pages use, and
gathered into a `Briefing` that holds numbers and codes only (no text of the interface, no personal data), so
the renderer (components/briefing.py) can draw it in either language.

Definitions:
- indicators: the day's mean of each headline indicator, and its worst value (the highest where lower is
  better, the lowest where higher is better); the status is the worst value's, so a day that touched an alarm
  says so;
- events: reported in the day; closed in the day; overdue = still open at the day's end (not closed by then,
  not cancelled) and past its SLA due time by then; top categories and districts among the day's reported
  events;
- linkage: per department, over dispatches of the day's events, minutes from dispatch to acceptance (median
  and p90) and to finish (p90): the departments with the slowest p90 acceptance first;
- approvals: applications received, completed, on-time rate and bad reviews (好差评 1–2) of the day
  (`services.approvals.metrics.summary`);
- alerts: the day's alerts per severity, and the notable ones: extreme and severe storm-group heads, most
  severe and then newest first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from services.access import CITY_WIDE, Scope
from services.alerts.console import AlertFilter, newest
from services.approvals import metrics as approval_metrics
from services.events import linkage
from services.events.queries import ALL_EVENTS, EventFilter, conditions
from services.indicators import queries as indicators
from services.severity import SEVERITIES
from services.store import Alert, Department, District, Event, Indicator

TOP = 5
SLOW_DEPARTMENTS = 3
NOTABLE_SEVERITIES = ("extreme", "severe")


@dataclass(frozen=True)
class KpiDay:
    """One indicator over the day; `mean` and `worst` are None when it had no readings the scope may see."""

    code: str
    name_zh: str
    name_en: str
    unit: str
    mean: float | None
    worst: float | None
    status: str


@dataclass(frozen=True)
class Ranked:
    """A category or district and how many of the day's events it had; names are empty for a category code."""

    key: str
    name_zh: str
    name_en: str
    count: int


@dataclass(frozen=True)
class SlowDepartment:
    code: str
    name_zh: str
    name_en: str
    dispatches: int
    accept_p50: float | None
    accept_p90: float | None
    finish_p90: float | None
    overdue: int


@dataclass(frozen=True)
class NotableAlert:
    sent_at: datetime
    severity: str
    headline: str
    district_zh: str
    district_en: str
    count: int


@dataclass(frozen=True)
class Briefing:
    """The figures of one local day (`start`, `end` in UTC), seen within one scope."""

    day: date
    zone: str
    start: datetime
    end: datetime
    kpis: tuple[KpiDay, ...]
    events_reported: int
    events_closed: int
    events_overdue: int
    top_categories: tuple[Ranked, ...]
    top_districts: tuple[Ranked, ...]
    slow_departments: tuple[SlowDepartment, ...]
    approvals_received: int
    approvals_completed: int
    approvals_on_time_rate: float | None
    approvals_bad_reviews: int
    alerts_by_severity: tuple[tuple[str, int], ...]
    notable_alerts: tuple[NotableAlert, ...]


def day_window(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[local midnight of `day`, local midnight of the next day) in UTC (23 or 25 hours on a DST change)."""
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def yesterday(zone: ZoneInfo, now: datetime | None = None) -> date:
    """The local calendar day before `now`'s, in `zone`."""
    return (now or datetime.now(UTC)).astimezone(zone).date() - timedelta(days=1)


def gather(*, session: Session, zone: ZoneInfo, kpi_codes: Sequence[str], day: date | None = None,
           scope: Scope = CITY_WIDE) -> Briefing:
    """The briefing of `day` (yesterday in `zone` by default) for `scope`."""
    day = day or yesterday(zone)
    start, end = day_window(day, zone)
    reported = and_(*conditions(ALL_EVENTS, scope), Event.reported_at >= start, Event.reported_at < end)
    approvals = approval_metrics.summary(session=session, start=start, end=end, scope=scope).iloc[0]
    on_time = approvals["on_time_rate"]
    return Briefing(
        day=day, zone=str(zone), start=start, end=end,
        kpis=tuple(_kpis(session, kpi_codes, start, end, scope)),
        events_reported=_count(session, reported),
        events_closed=_count(session, and_(*conditions(ALL_EVENTS, scope), Event.status == "closed",
                                           Event.closed_at >= start, Event.closed_at < end)),
        events_overdue=_count(session, and_(*conditions(ALL_EVENTS, scope), Event.reported_at < end,
                                            Event.sla_due_at < end, Event.status != "cancelled",
                                            or_(Event.closed_at.is_(None), Event.closed_at >= end))),
        top_categories=tuple(Ranked(key, "", "", n) for key, n in _top(session, Event.category, reported)),
        top_districts=tuple(_districts(session, _top(session, Event.district, reported))),
        slow_departments=tuple(_slow_departments(session, start, end, scope)),
        approvals_received=int(approvals["received"]),
        approvals_completed=int(approvals["completed"]),
        approvals_on_time_rate=None if pd.isna(on_time) else float(on_time),
        approvals_bad_reviews=int(approvals["bad_reviews"]),
        alerts_by_severity=alerts_by_severity(session, start, end, scope),
        notable_alerts=tuple(_notable(session, start, end, scope)),
    )  # fmt: skip


def _count(session: Session, where: ColumnElement[bool]) -> int:
    return int(session.scalar(select(func.count()).select_from(Event).where(where)) or 0)


def _top(session: Session, column: InstrumentedAttribute[Any],
         where: ColumnElement[bool]) -> list[tuple[str, int]]:
    """The `TOP` commonest values of `column` among the events matching `where`, most first, ties by value."""
    count = func.count().label("n")
    rows = session.execute(select(column, count).where(where, column.is_not(None))
                           .group_by(column).order_by(count.desc(), column).limit(TOP)).all()
    return [(str(key), int(n)) for key, n in rows]


def names_of(session: Session, model: type[District] | type[Department],
           keys: Sequence[str]) -> dict[str, tuple[str, str]]:
    """(Chinese name, English name) by code."""
    key = District.adcode if model is District else Department.code
    rows = session.execute(select(key, model.name_zh, model.name_en).where(key.in_(list(keys)))).all()
    return {code: (zh, en) for code, zh, en in rows}


def _districts(session: Session, counts: list[tuple[str, int]]) -> list[Ranked]:
    names = names_of(session, District, [key for key, _n in counts])
    return [Ranked(key, *names.get(key, (key, key)), n) for key, n in counts]


def _kpis(session: Session, codes: Sequence[str], start: datetime, end: datetime,
          scope: Scope) -> list[KpiDay]:
    wanted = select(Indicator).where(Indicator.code.in_(list(codes)))
    found = {ind.code: ind for ind in session.scalars(wanted)}
    missing = [code for code in codes if code not in found]
    if missing:
        raise ValueError(f"unknown indicator code(s): {', '.join(missing)}")
    out = []
    for code in codes:
        ind = found[code]
        day = indicators.series(session=session, code=code, start=start, end=end, bucket="hour", scope=scope)
        mean = worst = None
        if len(day):  # the hours' means weighted by their readings: the mean of the day's readings
            mean = float((day["avg"] * day["n"]).sum() / day["n"].sum())
            worst = float(day["max"].max() if ind.direction == "lower" else day["min"].min())
        out.append(KpiDay(code, ind.name_zh, ind.name_en, ind.unit, mean, worst,
                          indicators.status_of(worst, ind.warn, ind.alarm, ind.direction)))
    return out


def _optional(value: object) -> float | None:
    return None if pd.isna(value) else float(value)  # type: ignore[arg-type]


def _slow_departments(session: Session, start: datetime, end: datetime, scope: Scope) -> list[SlowDepartment]:
    stats = linkage.department_stats(session=session, filters=EventFilter(start=start, end=end), scope=scope,
                                     now=end)
    if stats.empty:
        return []
    stats = stats.sort_values(["accept_p90", "department"], ascending=[False, True], na_position="last")
    stats = stats.head(SLOW_DEPARTMENTS)
    names = names_of(session, Department, list(stats["department"]))
    out = []
    for row in stats.itertuples():
        name_zh, name_en = names.get(str(row.department), (str(row.department),) * 2)
        out.append(SlowDepartment(str(row.department), name_zh, name_en, int(row.dispatches),
                                  _optional(row.accept_p50), _optional(row.accept_p90),
                                  _optional(row.finish_p90), int(row.overdue)))
    return out


def alerts_by_severity(session: Session, start: datetime, end: datetime,
                       scope: Scope = CITY_WIDE) -> tuple[tuple[str, int], ...]:
    """Every severity of the stream contract, most severe first, with the alerts sent in [start, end) (zeros
    included)."""
    rows = session.execute(select(Alert.severity, func.count())
                           .where(Alert.sent_at >= start, Alert.sent_at < end, Alert.msg_type == "alert",
                                  scope.district_filter(Alert.district))
                           .group_by(Alert.severity)).all()
    counts = {severity: int(n) for severity, n in rows}
    return tuple((severity, counts.get(severity, 0)) for severity in SEVERITIES)


def _notable(session: Session, start: datetime, end: datetime, scope: Scope) -> list[NotableAlert]:
    heads = [row for severity in NOTABLE_SEVERITIES
             for row in newest(session, AlertFilter(severity=severity, since=start, until=end), limit=TOP,
                               scope=scope)][:TOP]
    names = names_of(session, District, [row.district for row in heads if row.district])
    return [NotableAlert(row.sent_at, row.severity, row.headline,
                         *names.get(row.district or "", ("", "")), row.count) for row in heads]
