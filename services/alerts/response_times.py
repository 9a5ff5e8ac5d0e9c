"""How fast the command center answers alerts: MTTA (mean time to acknowledge) and MTTR (mean time to resolve), by
severity, CAP category or department, and per local day.

Definitions, over the alert messages (`msg_type` alert: updates and cancels are not new work) received in the
window (`received_at`, when the command center got them; the sender's `sent_at` for rows stored before it was kept):
- acknowledged: the alert's `acknowledged_at`, its first acknowledgement (`services.alerts.actions.acknowledge`
  keeps it through later ones; a storm group's members get their head's; migration 0025 restored it from the audit
  trail where a later one had overwritten it); MTTA is the mean of acknowledged − received over the acknowledged ones;
- resolved: `resolved_at` (an operator's resolve or the sender's cancel); MTTR is the mean of resolved − received
  over the resolved ones.
A department is the one the city pack's emergency routing names for the category (who answers for it), so a
department's figures are sums of its categories' sums, exact. The sums and counts are taken in SQL (whole seconds
on both backends) from the alert rows alone, by the received-time index, once per window: per local day × severity
× CAP category, the cells every breakdown and the daily trend sum (a few hundred travel). Negative spans (clocks
out of step) count as zero.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from services.access import CITY_WIDE, Scope
from services.approvals.queries import epoch
from services.severity import SEVERITIES
from services.store import Alert
from services.store.cache import Namespace, cached_query
from services.zones import utc_offset

GROUPS = ("severity", "category", "department", "all")
COLUMNS = ["key", "alerts", "acknowledged", "mtta_min", "resolved", "mttr_min"]
CACHE = Namespace("alert_response", tables=("alerts", "alert_actions"))
SUMS = ["alerts", "acknowledged", "ack_s", "resolved", "resolve_s"]
# when the command center got the alert: the expression `ix_alerts_received` indexes
RECEIVED = func.coalesce(Alert.received_at, Alert.sent_at)


def _received(session: Session) -> ColumnElement[int]:
    """When the command center got the alert, as epoch seconds."""
    return epoch(session, RECEIVED)


def _span(session: Session, until: InstrumentedAttribute[datetime | None]) -> ColumnElement[Any]:
    """Seconds from receipt to `until` (NULL when `until` is); before the alert arrived (clocks out of step) counts
    as an answer at once."""
    seconds = epoch(session, until) - _received(session)
    return case((seconds < 0, 0), else_=seconds)


def _sums(session: Session, start: datetime, end: datetime, scope: Scope, keys: list[ColumnElement[Any]]
          ) -> pd.DataFrame:
    """Per group of `keys` (labelled): the `SUMS` of the alert messages received in [start, end), read by the
    received-time index from the alert rows alone."""
    acked, resolved = Alert.acknowledged_at, Alert.resolved_at
    stmt = select(*keys, func.count(), func.count(acked), func.sum(_span(session, acked)), func.count(resolved),
                  func.sum(_span(session, resolved))).where(
        Alert.msg_type == "alert", RECEIVED >= start, RECEIVED < end, scope.district_filter(Alert.district)
    ).group_by(*keys)
    frame = pd.DataFrame([tuple(r) for r in session.execute(stmt)], columns=[k.key for k in keys] + SUMS)
    frame[SUMS] = frame[SUMS].fillna(0)
    return frame


@cached_query(CACHE)
def _cells(*, session: Session, start: datetime, end: datetime, scope: Scope, offset: int) -> pd.DataFrame:
    """The window's sums per local day (at `offset`) × severity × CAP category: every breakdown of `response_times`
    and the trend of `response_trend` are sums of these cells, so the analytics tab reads the alerts once."""
    day = ((_received(session) + offset) // 86400).label("day")
    return _sums(session, start, end, scope, [day, Alert.severity.label("severity"), Alert.category.label("category")])


def _means(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype({c: "float64" for c in SUMS})
    frame["mtta_min"] = frame["ack_s"] / frame["acknowledged"].where(frame["acknowledged"] > 0) / 60
    frame["mttr_min"] = frame["resolve_s"] / frame["resolved"].where(frame["resolved"] > 0) / 60
    return frame.astype({"alerts": "int64", "acknowledged": "int64", "resolved": "int64"})


@cached_query(CACHE)
def response_times(*, session: Session, start: datetime, end: datetime, by: str,
                   routing: tuple[tuple[str, str], ...] = (), fallback: str = "", scope: Scope = CITY_WIDE,
                   zone: tzinfo = UTC) -> pd.DataFrame:
    """MTTA and MTTR in minutes per group of `by` (severity, category, or department through `routing`: pairs of
    CAP category and department, `fallback` for the rest; or all, one row), severities gravest first, other groups
    most alerts first (columns `COLUMNS`). The figures do not depend on `zone`; given the trend's, both read the same
    cells."""
    if by not in GROUPS:
        raise ValueError(f"by must be one of {', '.join(GROUPS)}, got {by!r}")
    cells = _cells(session=session, start=start, end=end, scope=scope, offset=utc_offset(start, zone))
    keys = {"severity": cells["severity"], "category": cells["category"], "all": pd.Series("all", cells.index),
            "department": cells["category"].map(dict(routing)).fillna(fallback)}[by]
    frame = cells.assign(key=keys).groupby("key", as_index=False)[SUMS].sum()
    out = _means(frame)
    if by == "severity":  # the scale's order, the gravest first
        out = out.assign(order=out["key"].map({s: i for i, s in enumerate(SEVERITIES)})).sort_values(
            ["order", "key"], ignore_index=True)
    else:
        out = out.sort_values(["alerts", "key"], ascending=[False, True], ignore_index=True)
    return out[COLUMNS]


@cached_query(CACHE)
def response_trend(*, session: Session, start: datetime, end: datetime, zone: tzinfo, scope: Scope = CITY_WIDE
                   ) -> pd.DataFrame:
    """Per local day of the window (zone's offset at `start`: exact for a zone without daylight saving): alerts,
    MTTA and MTTR in minutes (columns day, alerts, acknowledged, mtta_min, resolved, mttr_min)."""
    cells = _cells(session=session, start=start, end=end, scope=scope, offset=utc_offset(start, zone))
    frame = cells.groupby("day", as_index=False)[SUMS].sum()
    frame["day"] = pd.to_datetime(frame["day"].astype("int64") * 86400, unit="s").dt.date
    out = _means(frame).sort_values("day", ignore_index=True)
    return out[["day", *COLUMNS[1:]]]
