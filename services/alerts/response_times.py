"""How fast the command center answers alerts: MTTA (mean time to acknowledge) and MTTR (mean time to resolve), by
severity, CAP category or department, and per local day.

Definitions, over the alert messages (`msg_type` alert: updates and cancels are not new work) received in the
window (`received_at`, when the command center got them; the sender's `sent_at` for rows stored before it was kept):
- acknowledged: the first acknowledgement in the audit trail (`alert_actions`), or the alert's `acknowledged_at`
  when it has none (a storm group's members are acknowledged with their head, which alone carries the action);
  MTTA is the mean of acknowledged − received over the acknowledged ones;
- resolved: `resolved_at` (an operator's resolve or the sender's cancel); MTTR is the mean of resolved − received
  over the resolved ones.
A department is the one the city pack's emergency routing names for the category (who answers for it), so a
department's figures are sums of its categories' sums, exact. The sums and counts are taken in SQL (whole seconds
on both backends); only a few dozen groups travel. Negative spans (clocks out of step) count as zero.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, case, func, literal, select
from sqlalchemy.orm import Session

from services.access import CITY_WIDE, Scope
from services.alerts.actions import ACKNOWLEDGE
from services.approvals.queries import epoch
from services.severity import SEVERITIES
from services.store import Alert, AlertAction
from services.store.cache import Namespace, cached_query

GROUPS = ("severity", "category", "department", "all")
COLUMNS = ["key", "alerts", "acknowledged", "mtta_min", "resolved", "mttr_min"]
CACHE = Namespace("alert_response", tables=("alerts", "alert_actions"))
SUMS = ["alerts", "acknowledged", "ack_s", "resolved", "resolve_s"]


def _spans(session: Session) -> tuple[ColumnElement[Any], ColumnElement[Any], ColumnElement[Any]]:
    """(received, seconds to the first acknowledgement or NULL, seconds to resolution or NULL) as SQL."""
    first_ack = select(func.min(AlertAction.at)).where(AlertAction.alert_id == Alert.id,
                                                       AlertAction.action == ACKNOWLEDGE).scalar_subquery()
    received = func.coalesce(Alert.received_at, Alert.sent_at)
    start = epoch(session, received)
    acked = func.coalesce(first_ack, Alert.acknowledged_at)
    ack_s = case((acked.is_(None), None), else_=epoch(session, acked) - start)
    resolve_s = case((Alert.resolved_at.is_(None), None), else_=epoch(session, Alert.resolved_at) - start)
    return received, ack_s, resolve_s


def _sums(session: Session, start: datetime, end: datetime, scope: Scope, keys: list[ColumnElement[Any]]
          ) -> list[tuple[Any, ...]]:
    received, ack_s, resolve_s = _spans(session)
    zero = 0  # a span before the alert arrived is an answer at once
    inner = select(*keys, ack_s.label("ack_s"), resolve_s.label("resolve_s")).where(
        Alert.msg_type == "alert", received >= start, received < end, scope.district_filter(Alert.district)
    ).subquery()
    key_columns = [inner.c[k.key] for k in keys]  # type: ignore[index]
    stmt = select(*key_columns, func.count(), func.count(inner.c.ack_s),
                  func.sum(case((inner.c.ack_s < zero, zero), else_=inner.c.ack_s)), func.count(inner.c.resolve_s),
                  func.sum(case((inner.c.resolve_s < zero, zero), else_=inner.c.resolve_s))).group_by(*key_columns)
    return [tuple(r) for r in session.execute(stmt)]


def _means(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype({c: "float64" for c in SUMS})
    frame["mtta_min"] = frame["ack_s"] / frame["acknowledged"].where(frame["acknowledged"] > 0) / 60
    frame["mttr_min"] = frame["resolve_s"] / frame["resolved"].where(frame["resolved"] > 0) / 60
    return frame.astype({"alerts": "int64", "acknowledged": "int64", "resolved": "int64"})


@cached_query(CACHE)
def response_times(*, session: Session, start: datetime, end: datetime, by: str,
                   routing: tuple[tuple[str, str], ...] = (), fallback: str = "", scope: Scope = CITY_WIDE
                   ) -> pd.DataFrame:
    """MTTA and MTTR in minutes per group of `by` (severity, category, or department through `routing`: pairs of
    CAP category and department, `fallback` for the rest; or all, one row), severities gravest first, other groups most alerts
    first (columns `COLUMNS`)."""
    if by not in GROUPS:
        raise ValueError(f"by must be one of {', '.join(GROUPS)}, got {by!r}")
    column = {"severity": Alert.severity, "all": literal("all")}.get(by, Alert.category)
    frame = pd.DataFrame(_sums(session, start, end, scope, [column.label("key")]), columns=["key", *SUMS])
    frame[SUMS] = frame[SUMS].fillna(0)
    if by == "department":
        frame["key"] = frame["key"].map(dict(routing)).fillna(fallback)
        frame = frame.groupby("key", as_index=False)[SUMS].sum()
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
    offset = int(start.astimezone(zone).utcoffset().total_seconds())  # type: ignore[union-attr]
    received, _ack, _res = _spans(session)
    day = ((epoch(session, received) + offset) // 86400).label("day")
    frame = pd.DataFrame(_sums(session, start, end, scope, [day]), columns=["day", *SUMS])
    frame[SUMS] = frame[SUMS].fillna(0)
    frame["day"] = pd.to_datetime(frame["day"].astype("int64") * 86400, unit="s").dt.date
    out = _means(frame).sort_values("day", ignore_index=True)
    return out[["day", *COLUMNS[1:]]]
