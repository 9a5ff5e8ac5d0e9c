"""The approval metrics service reformers track, by department, matter, district or channel (or overall).

Counts are aggregated in SQL per matter (and district or channel), without joining the matters table; pandas
rolls the matters up to departments and adds what the catalog knows (instant, statutory and promised days).
Processing-time percentiles come from a histogram of whole hours the database builds per matter, so only a few
thousand rows travel however many applications there are, and each percentile is exact at that resolution (the
lower value at rank q·(n−1), as pandas' interpolation="lower").

Definitions (window [start, end)):
- over applications *received* in the window: instant rate (matter is 即办), fully-online rate (online or mobile
  channel and no visit), visits per application, share with at most one / no visit, return-for-correction (补正)
  rate, promised-time compression ((statutory − promised) / statutory, mean over applications of matters that
  have a statutory limit);
- over applications *completed* in the window: on-time rate (completed by the due time, among those with one),
  processing time (acceptance, or submission when never accepted, to completion) in whole hours, median and p90,
  and as a whole percentage of the matter's promised time (hours · 100 // (promised days · 24), matters with
  promised days only), 好差评 levels 1–5 (1–2 are bad).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from services.access import CITY_WIDE, Scope
from services.approvals import (
    ALL,
    ONLINE_CHANNELS,
    Slice,
    epoch,
    grouped,
    matter_catalog,
    rows,
    scoped,
    with_key,
)
from services.db import Application

RATING_LEVELS = (1, 2, 3, 4, 5)
BAD_REVIEW_MAX = 2
QUANTILES = {"p50": 0.5, "p90": 0.9}
RECEIVED = ["received", "instant", "fully_online", "visits", "at_most_one_visit", "no_visit", "returned"]
COMPLETED = ["completed", "with_due", "on_time", "rated", *[f"rating_{v}" for v in RATING_LEVELS]]
RATES = {"instant_rate": ("instant", "received"), "fully_online_rate": ("fully_online", "received"),
         "visits_per_application": ("visits", "received"), "one_visit_share": ("at_most_one_visit", "received"),
         "no_visit_share": ("no_visit", "received"), "return_rate": ("returned", "received"),
         "on_time_rate": ("on_time", "with_due")}


def _n(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


def lower_quantile(values: np.ndarray, counts: np.ndarray, q: float) -> float:
    """The value at rank floor(q·(n−1)) of a histogram (pandas' interpolation="lower"); NaN when empty."""
    order = np.argsort(values)
    values, cumulative = np.asarray(values)[order], np.cumsum(np.asarray(counts)[order])
    if len(values) == 0 or cumulative[-1] == 0:
        return math.nan
    rank = math.floor(q * (cumulative[-1] - 1))
    return float(values[np.searchsorted(cumulative, rank, side="right")])


def _percentiles(hist: pd.DataFrame, value: str, prefix: str) -> pd.DataFrame:
    out = {key: {f"{name}_{prefix}": lower_quantile(part[value].to_numpy(float), part["completed"].to_numpy(), q)
                 for name, q in QUANTILES.items()} for key, part in hist.dropna(subset=[value]).groupby("key")}
    return pd.DataFrame.from_dict(out, orient="index", columns=[f"{n}_{prefix}" for n in QUANTILES])


def summary(*, session: Session, start: datetime, end: datetime, by: str | None = None,
            scope: Scope = CITY_WIDE, where: Slice = ALL) -> pd.DataFrame:
    """One row per group (`key`) with every rate of the module docstring; rates are NaN where nothing counts."""
    catalog = matter_catalog(session)
    received = with_key(rows(session, grouped(scoped(select(
        func.count().label("received"),
        _n(Application.channel.in_(ONLINE_CHANNELS) & (Application.visits == 0)).label("fully_online"),
        func.sum(Application.visits).label("visits"),
        _n(Application.visits <= 1).label("at_most_one_visit"),
        _n(Application.visits == 0).label("no_visit"),
        _n(Application.return_reason.is_not(None)).label("returned"),
    ), scope, where).where(Application.submitted_at >= start, Application.submitted_at < end), by)), by, catalog)
    matters = catalog.reindex(received["matter"])
    statutory = matters["statutory_days"].where(matters["statutory_days"] > 0).to_numpy(float)
    ratio = (statutory - matters["promised_days"].fillna(0).to_numpy(float)) / statutory
    received = received.assign(
        instant=np.where(matters["kind"].to_numpy() == "instant", received["received"], 0),
        compression_sum=np.nan_to_num(ratio) * received["received"],
        compression_n=np.where(np.isnan(ratio), 0, received["received"]))
    started = func.coalesce(Application.accepted_at, Application.submitted_at)
    hours = (epoch(session, Application.completed_at) - epoch(session, started)) // 3600
    completed = with_key(rows(session, grouped(scoped(select(
        hours.label("hours"),
        func.count().label("completed"),
        _n(Application.due_at.is_not(None)).label("with_due"),
        _n(Application.completed_at <= Application.due_at).label("on_time"),
        func.count(Application.rating).label("rated"),
        *[_n(Application.rating == level).label(f"rating_{level}") for level in RATING_LEVELS],
    ), scope, where).where(Application.completed_at >= start, Application.completed_at < end), by).group_by(
        hours)), by, catalog)
    promised = catalog["promised_days"].reindex(completed["matter"]).to_numpy(float)
    completed["promised_pct"] = np.where(promised > 0, completed["hours"] * 100 // (promised * 24), np.nan)
    frame = (received.groupby("key")[[*RECEIVED, "compression_sum", "compression_n"]].sum()
             .join(completed.groupby("key")[COMPLETED].sum(), how="outer")
             .join(_percentiles(completed, "hours", "hours")).join(_percentiles(completed, "promised_pct",
                                                                                 "promised_pct")))
    if by is None and frame.empty:
        frame = pd.DataFrame(index=pd.Index(["all"]))
    frame = frame.reindex(columns=list(dict.fromkeys([*RECEIVED, *COMPLETED, "compression_sum", "compression_n",
                                                      *frame.columns])))
    counts = [*RECEIVED, *COMPLETED, "compression_n"]
    frame[counts] = frame[counts].fillna(0).astype("int64")
    for name, (part, whole) in RATES.items():
        frame[name] = frame[part] / frame[whole].where(frame[whole] > 0)
    frame["compression_ratio"] = frame["compression_sum"] / frame["compression_n"].where(frame["compression_n"] > 0)
    bad = frame[[f"rating_{v}" for v in RATING_LEVELS if v <= BAD_REVIEW_MAX]].sum(axis=1)
    frame["bad_reviews"] = bad.astype("int64")
    frame["bad_review_rate"] = bad / frame["rated"].where(frame["rated"] > 0)
    for column in ("p50_hours", "p90_hours", "p50_promised_pct", "p90_promised_pct"):
        frame[column] = frame.get(column, pd.Series(dtype=float)).astype(float)
    frame = frame.drop(columns=["compression_sum", "compression_n"])
    return frame.rename_axis("key").reset_index().sort_values("key", ignore_index=True)


def _counts(session: Session, stmt: Any, by: str | None, label: str) -> pd.DataFrame:
    """(key, `label`, count) from a `grouped` query that also groups on `label`."""
    frame = with_key(rows(session, grouped(stmt, by)), by, matter_catalog(session))
    if frame.empty:
        return pd.DataFrame(columns=["key", label, "count"])
    return frame.groupby(["key", label], as_index=False)["count"].sum()


def return_reasons(*, session: Session, start: datetime, end: datetime, by: str | None = None, top: int = 5,
                   scope: Scope = CITY_WIDE, where: Slice = ALL) -> pd.DataFrame:
    """The commonest return-for-correction reasons per group among applications received in the window
    (columns key, reason, count, share of the group's returns), most frequent first."""
    stmt = scoped(select(Application.return_reason.label("reason"), func.count().label("count")), scope, where) \
        .where(Application.submitted_at >= start, Application.submitted_at < end,
               Application.return_reason.is_not(None)).group_by(Application.return_reason)
    frame = _counts(session, stmt, by, "reason")
    if frame.empty:
        return pd.DataFrame(columns=["key", "reason", "count", "share"])
    frame["share"] = frame["count"] / frame.groupby("key")["count"].transform("sum")
    frame = frame.sort_values(["key", "count", "reason"], ascending=[True, False, True])
    return frame.groupby("key").head(top)[["key", "reason", "count", "share"]].reset_index(drop=True)


def bad_review_followups(*, session: Session, start: datetime, end: datetime, by: str | None = None,
                         scope: Scope = CITY_WIDE, where: Slice = ALL) -> pd.DataFrame:
    """How the bad reviews (levels 1–2) of applications completed in the window are being followed up
    (columns key, state, count); a bad review nobody has picked up yet counts as "pending"."""
    state = func.coalesce(Application.rating_followup, "pending")
    stmt = scoped(select(state.label("state"), func.count().label("count")), scope, where).where(
        Application.completed_at >= start, Application.completed_at < end,
        Application.rating <= BAD_REVIEW_MAX).group_by(state)
    return _counts(session, stmt, by, "state")


def bundle_savings(*, session: Session, start: datetime, end: datetime, scope: Scope = CITY_WIDE,
                   where: Slice = ALL) -> pd.DataFrame:
    """Per one-thing bundle, over its cases filed in the window whose every application is completed: the time of
    the parallel process (first submission to last completion) against the sum of its applications' own times
    (columns bundle, cases, parallel_hours, sequential_hours, saved_hours, saved_share; means per case)."""
    submitted, completed = epoch(session, Application.submitted_at), epoch(session, Application.completed_at)
    stmt = scoped(select(func.min(Application.matter_code).label("matter"), func.min(submitted).label("first"),
                         func.max(completed).label("last"), func.sum(completed - submitted).label("sequential")),
                  scope, where).where(
        Application.bundle_case.is_not(None), Application.submitted_at >= start - timedelta(days=1),
        Application.submitted_at < end).group_by(Application.bundle_case).having(
        func.count(Application.completed_at) == func.count(), func.min(Application.submitted_at) >= start)
    cases = rows(session, stmt)
    columns = ["bundle", "cases", "parallel_hours", "sequential_hours", "saved_hours", "saved_share"]
    if cases.empty:
        return pd.DataFrame(columns=columns)
    cases["bundle"] = cases["matter"].map(matter_catalog(session)["bundle"])
    cases["parallel_hours"] = (cases["last"] - cases["first"]) / 3600
    cases["sequential_hours"] = cases["sequential"] / 3600
    out = cases.groupby("bundle").agg(cases=("first", "size"), parallel_hours=("parallel_hours", "mean"),
                                      sequential_hours=("sequential_hours", "mean")).reset_index()
    out["saved_hours"] = out["sequential_hours"] - out["parallel_hours"]
    out["saved_share"] = out["saved_hours"] / out["sequential_hours"].where(out["sequential_hours"] > 0)
    return out[columns].sort_values("bundle", ignore_index=True)
