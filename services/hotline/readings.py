"""The wall's hotline indicators, measured from the stored calls and work orders instead of made up.

At a moment t (every figure over a window that ends at t):
- hotline_calls: calls that reached the queue in the last hour; hotline_connection_rate: the share of them answered (%);
- hotline_ontime_rate: of the orders closed (办结) in the last 24 hours, the share closed by their time limit (%);
- hotline_satisfaction: of the follow-ups (回访) of the last 24 hours that reached the citizen and got a verdict,
  the share satisfied or basically satisfied (%);
- hotline_open_orders: orders reported and not closed (cancelled ones never count); hotline_overdue_orders: those
  of them past their time limit; hotline_supervised_orders: orders under an open 督办.
Calls carry no district, so the call figures are the city's; the order figures come for the city and each district.

`readings_at` is pure (frames in, readings out, vectorised over many moments) so the seed writes the history from
the rows it generates by the same definition the live job applies to the store: `refresh_readings` loads only the
rows a moment needs (open orders, the last day's closings and follow-ups, the last hour's calls) and records them
through services.indicators.readings (thresholds and alerts included); `HotlineReadingsJob` does so on a cadence.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, and_, func, or_, select
from sqlalchemy.orm import Session

from services.config import Settings
from services.indicators.readings import Recorded, load_rules, record_readings
from services.indicators.rules import ThresholdRules
from services.store import Event, HotlineCall, Indicator, IndicatorReading, Supervision, WorkOrder
from services.store.cache import QueryCache

log = logging.getLogger(__name__)

CALL_WINDOW_S = 3600.0
ORDER_WINDOW_S = 86_400.0
CALL_INDICATORS = ("hotline_calls", "hotline_connection_rate")
ORDER_INDICATORS = ("hotline_ontime_rate", "hotline_satisfaction", "hotline_open_orders", "hotline_overdue_orders",
                    "hotline_supervised_orders")
INDICATORS = CALL_INDICATORS + ORDER_INDICATORS
GOOD = ("satisfied", "basic")
ORDER_COLUMNS = ["event_id", "district", "reported_at", "due_at", "closed_at", "followed_up_at", "verdict"]
READING_COLUMNS = ["indicator_code", "district", "ts", "value"]


@dataclass(frozen=True)
class HotlineRows:
    """What the indicators are computed from, times as UTC timestamps (NaT: not yet).

    orders: event_id, district, reported_at, due_at, closed_at (NaT unless the order is closed), followed_up_at,
    verdict (satisfaction of a reached follow-up, else None); calls: started_at, answered; supervisions:
    event_id, created_at, ended_at (NaT while open)."""

    orders: pd.DataFrame
    calls: pd.DataFrame
    supervisions: pd.DataFrame


def epoch_seconds(column: pd.Series) -> np.ndarray:
    """Epoch seconds, NaN for NaT."""
    stamps = pd.to_datetime(column, utc=True)
    out: np.ndarray = np.where(stamps.isna(), np.nan, stamps.astype("datetime64[us, UTC]").astype(np.int64) / 1e6)
    return out


def _count_le(values: np.ndarray, t: np.ndarray) -> np.ndarray:
    """How many of `values` (NaN never) are ≤ each t."""
    ordered = np.sort(values[~np.isnan(values)])
    counted: np.ndarray = np.searchsorted(ordered, t, side="right")
    return counted


def _in_window(at: np.ndarray, weight: np.ndarray, t: np.ndarray, span: float) -> tuple[np.ndarray, np.ndarray]:
    """(rows, weighted rows) with `at` in (t - span, t] for each t."""
    keep = ~np.isnan(at)
    order = np.argsort(at[keep], kind="stable")
    times, cum = at[keep][order], np.concatenate([[0.0], np.cumsum(weight[keep][order])])
    hi, lo = np.searchsorted(times, t, side="right"), np.searchsorted(times, t - span, side="right")
    return (hi - lo).astype(float), cum[hi] - cum[lo]


def _share(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        rate: np.ndarray = np.where(whole > 0, 100.0 * part / np.maximum(whole, 1), np.nan)
    return rate


def _order_figures(orders: pd.DataFrame, supervised: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
    reported, due, closed = (epoch_seconds(orders[c]) for c in ("reported_at", "due_at", "closed_at"))
    followed = epoch_seconds(orders["followed_up_at"])
    verdict = orders["verdict"].to_numpy(dtype=object)
    judged = np.where(pd.isna(verdict), np.nan, followed)
    on_time = (closed <= due).astype(float)
    closings, in_time = _in_window(closed, on_time, t, ORDER_WINDOW_S)
    follow_ups, good = _in_window(judged, np.isin(verdict, GOOD).astype(float), t, ORDER_WINDOW_S)
    open_now = _count_le(reported, t) - _count_le(closed, t)
    # overdue at t: due < t and not closed by t (an order is always reported before it is due)
    overdue = _count_le(due, t) - _count_le(np.maximum(due, closed), t)  # NaN (open) never counts
    return {"hotline_ontime_rate": _share(in_time, closings), "hotline_satisfaction": _share(good, follow_ups),
            "hotline_open_orders": open_now.astype(float), "hotline_overdue_orders": overdue.astype(float),
            "hotline_supervised_orders": supervised}


def readings_at(rows: HotlineRows, moments: pd.DatetimeIndex | Sequence[datetime],
                codes: Sequence[str] = INDICATORS, districts: Sequence[str] = ()) -> pd.DataFrame:
    """The indicators of `codes` at each moment (city, and each of `districts` for the order figures) as
    indicator readings; a rate with nothing to measure (no call in the hour) has no reading."""
    ts = pd.DatetimeIndex(pd.to_datetime(list(moments), utc=True))
    t = ts.as_unit("us").asi8 / 1e6
    frames: dict[tuple[str, str | None], np.ndarray] = {}
    calls = rows.calls
    if any(code in codes for code in CALL_INDICATORS):
        counted, answered = _in_window(epoch_seconds(calls["started_at"]), calls["answered"].to_numpy(dtype=float), t,
                                       CALL_WINDOW_S)
        frames[("hotline_calls", None)] = counted
        frames[("hotline_connection_rate", None)] = _share(answered, counted)
    if any(code in codes for code in ORDER_INDICATORS):
        sup = rows.supervisions.assign(open=rows.supervisions["ended_at"].isna()).groupby("event_id").agg(
            created_at=("created_at", "min"), ended_at=("ended_at", "max"), open=("open", "any")).reset_index()
        sup["ended_at"] = sup["ended_at"].where(~sup["open"])  # an order is under 督办 while any is open
        sup = sup.merge(rows.orders[["event_id", "district"]], on="event_id")
        for area in [None, *districts]:
            orders = rows.orders if area is None else rows.orders[rows.orders["district"] == area]
            mine = sup if area is None else sup[sup["district"] == area]
            supervised = (_count_le(epoch_seconds(mine["created_at"]), t)
                          - _count_le(epoch_seconds(mine["ended_at"]), t)).astype(float)
            for code, values in _order_figures(orders, supervised, t).items():
                frames[(code, area)] = values
    out = [pd.DataFrame({"indicator_code": code, "district": area, "ts": ts, "value": values})
           for (code, area), values in frames.items() if code in codes]
    if not out:
        return pd.DataFrame(columns=READING_COLUMNS)
    found = pd.concat(out, ignore_index=True)
    found = found[found["value"].notna()].reset_index(drop=True)
    found["value"] = found["value"].round(3)
    found["district"] = found["district"].astype(object).where(found["district"].notna(), None)
    return found


def _frame(session: Session, query: Any) -> pd.DataFrame:
    result = session.execute(query)
    return pd.DataFrame(result.all(), columns=list(result.keys()))


def load_rows(session: Session, now: datetime) -> HotlineRows:
    """The rows the figures at `now` depend on: orders still open or closed or followed up in the last day (an
    order closed earlier counts nowhere at `now`), the last hour's calls, the open and recent 督办."""
    since = now - timedelta(seconds=ORDER_WINDOW_S)
    closed = Event.status == "closed"
    orders = _frame(session, select(
        WorkOrder.event_id, Event.district, Event.reported_at, Event.sla_due_at.label("due_at"),
        func.coalesce(Event.closed_at, Event.reported_at).label("closed_at"), Event.status,
        WorkOrder.followed_up_at, WorkOrder.reached, WorkOrder.satisfaction)
        .join(Event, Event.id == WorkOrder.event_id)
        .where(Event.status != "cancelled", Event.reported_at <= now,
               or_(~closed, Event.closed_at > since, WorkOrder.followed_up_at > since)))
    orders["closed_at"] = pd.to_datetime(orders["closed_at"], utc=True).where(orders["status"] == "closed")
    orders["verdict"] = orders["satisfaction"].where(orders["reached"].fillna(False).astype(bool)
                                                     & orders["followed_up_at"].notna())
    calls = _frame(session, select(HotlineCall.started_at, HotlineCall.answered).where(
        HotlineCall.started_at > now - timedelta(seconds=CALL_WINDOW_S), HotlineCall.started_at <= now))
    sups = _frame(session, select(Supervision.subject_id, Supervision.created_at, Supervision.status,
                                  func.coalesce(Supervision.replied_at, Supervision.escalated_at,
                                                Supervision.created_at).label("ended_at"))
                  .where(Supervision.subject == "event", Supervision.created_at <= now,
                         or_(Supervision.status == "open", and_(Supervision.replied_at.is_not(None),
                                                                Supervision.replied_at > since))))
    sups["event_id"] = pd.to_numeric(sups["subject_id"], errors="coerce")
    sups["ended_at"] = pd.to_datetime(sups["ended_at"], utc=True).where(sups["status"] != "open")
    return HotlineRows(orders[ORDER_COLUMNS], calls,
                       sups.dropna(subset=["event_id"]).astype({"event_id": "int64"})[
                           ["event_id", "created_at", "ended_at"]])


def due_moments(session: Session, now: datetime, codes: Sequence[str]) -> dict[str, datetime]:
    """For each of `codes` in the catalog, its latest cadence boundary at or before `now` when no city reading
    has it yet (the job writes each boundary once)."""
    due = {}
    for code, cadence in session.execute(select(Indicator.code, Indicator.cadence_minutes)
                                         .where(Indicator.code.in_(list(codes)))):
        step = max(int(cadence), 1) * 60
        boundary = datetime.fromtimestamp(now.timestamp() // step * step, UTC)
        last = session.scalar(select(func.max(IndicatorReading.ts)).where(
            IndicatorReading.indicator_code == code, IndicatorReading.district.is_(None)))
        if last is None or last < boundary:
            due[code] = boundary
    return due


def refresh_readings(*, engine: Engine, sessions: Any, redis_client: Any, settings: Settings,
                     rules: ThresholdRules | None = None, now: datetime | None = None,
                     cache: QueryCache | None = None, force: bool = False) -> Recorded:
    """Write the hotline indicators that are due at `now` (default: the clock); `force` writes all of them at
    `now` itself (a page or a test that wants the wall to show the orders just changed)."""
    at = (now or datetime.now(UTC)).astimezone(UTC)
    with sessions() as session:
        catalog = set(session.scalars(select(Indicator.code).where(Indicator.code.in_(INDICATORS))))
        due = {code: at for code in catalog} if force else due_moments(session, at, sorted(catalog))
        if not due:
            return Recorded(0, ())
        districts = [d for d in session.scalars(select(Event.district).distinct()) if d]
        frames = []
        for moment in sorted(set(due.values())):
            codes = [code for code, when in due.items() if when == moment]
            frames.append(readings_at(load_rows(session, moment), [moment], codes, districts))
    found = pd.concat(frames, ignore_index=True)
    return record_readings(found, engine=engine, redis_client=redis_client, settings=settings,
                           rules=rules or load_rules(engine, settings), newest_only=True, cache=cache)


class HotlineReadingsJob:
    """Keeps the hotline indicators current: every `interval` seconds, the readings whose cadence boundary passed."""

    def __init__(self, settings: Settings, engine: Engine, sessions: Any, redis_client: Any,
                 cache: QueryCache | None = None, interval: float = 60.0) -> None:
        self.settings, self.engine, self.sessions, self.redis = settings, engine, sessions, redis_client
        self.cache, self.interval = cache, interval
        self.rules: ThresholdRules | None = None

    def run_once(self, now: datetime | None = None) -> Recorded:
        if self.rules is None:
            self.rules = load_rules(self.engine, self.settings)
        return refresh_readings(engine=self.engine, sessions=self.sessions, redis_client=self.redis,
                                settings=self.settings, rules=self.rules, now=now, cache=self.cache)

    def run_forever(self, stop: threading.Event) -> None:
        """Run until `stop` is set; a failure is logged and the next round tries again."""
        while not stop.is_set():
            try:
                self.run_once()
            except Exception:
                log.exception("hotline readings failed; trying again in %.0f s", self.interval)
            stop.wait(self.interval)
