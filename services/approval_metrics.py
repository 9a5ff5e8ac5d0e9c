"""The approval metrics service reformers track, by department, matter, district or channel (or overall).

The sums come from the rollup (`services.approval_cells`), per matter (and district or channel); pandas rolls the
matters up to departments and adds what the catalog knows (instant, statutory and promised days). Processing-time
percentiles come from the rollup's fixed-bucket histograms: a percentile is the lower bound of the bucket holding
the exact one (the value at rank q·(n−1), as pandas' interpolation="lower"), so it is exact below 8 h (10 points
of the promised time) and at most 25 % low above (see `services.db.HOUR_BOUNDS`, `PCT_BOUNDS`). The reasons,
follow-ups and bundles read the few applications they need through partial indexes.

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
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import case, func, literal_column, select
from sqlalchemy.orm import Session

from services.access import CITY_WIDE, Scope
from services.approval_cells import MEASURES, keep, window_sums
from services.approvals import (
    ALL,
    Slice,
    epoch,
    group_keys,
    grouped,
    matter_catalog,
    rows,
    scoped,
    with_key,
)
from services.db import HOUR_BOUNDS, PCT_BOUNDS, ROLLUP_COMPLETED, ROLLUP_RECEIVED, Application

RATING_LEVELS = (1, 2, 3, 4, 5)
BAD_REVIEW_MAX = 2
QUANTILES = {"p50": 0.5, "p90": 0.9}
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


def bucket_floor(value: float, bounds: tuple[int, ...]) -> float:
    """The lower bound of the histogram bucket holding `value` (what a percentile of the rollup reports)."""
    if math.isnan(value):
        return math.nan
    return float(bounds[max(int(np.searchsorted(bounds, value, side="right")) - 1, 0)])


def _percentiles(frame: pd.DataFrame, prefix: str, bounds: tuple[int, ...], name: str) -> pd.DataFrame:
    counts = frame[[f"{prefix}_{b}" for b in bounds]].to_numpy()
    values = np.asarray(bounds, dtype=float)
    return pd.DataFrame({f"{p}_{name}": [lower_quantile(values, row, q) for row in counts]
                         for p, q in QUANTILES.items()}, index=frame.index)


def summary(*, session: Session, start: datetime, end: datetime, by: str | None = None,
            scope: Scope = CITY_WIDE, where: Slice = ALL) -> pd.DataFrame:
    """One row per group (`key`) with every rate of the module docstring; rates are NaN where nothing counts."""
    return summaries(session=session, start=start, end=end, by=(by,), scope=scope, where=where)[0]


def summaries(*, session: Session, start: datetime, end: datetime, by: Sequence[str | None],
              scope: Scope = CITY_WIDE, where: Slice = ALL) -> list[pd.DataFrame]:
    """`summary` for each breakdown in `by`, from one read of the rollup for all those it rolls up from matters
    (overall, department, matter): a view's overall row and its table cost one query."""
    catalog = matter_catalog(session)
    read: dict[str | None, pd.DataFrame] = {}
    out = []
    for group in by:
        dim = group if group in ("district", "channel") else None
        if dim not in read:
            read[dim] = window_sums(session=session, start=start, end=end, by=dim, scope=scope, where=where)
        out.append(_summarize(read[dim], group, catalog))
    return out


def _summarize(cells: pd.DataFrame, by: str | None, catalog: pd.DataFrame) -> pd.DataFrame:
    matters = catalog.reindex(cells["matter"])
    statutory = matters["statutory_days"].where(matters["statutory_days"] > 0).to_numpy(float)
    ratio = (statutory - matters["promised_days"].fillna(0).to_numpy(float)) / statutory
    received = cells["received"].to_numpy()
    derived = pd.DataFrame({"instant": np.where(matters["kind"].to_numpy() == "instant", received, 0),
                            "compression_sum": np.nan_to_num(ratio) * received,
                            "compression_n": np.where(np.isnan(ratio), 0, received)}, index=cells.index)
    sums = [*ROLLUP_RECEIVED, "instant", "compression_sum", "compression_n", *ROLLUP_COMPLETED]
    frame = pd.concat([cells[list(MEASURES)], derived], axis=1).groupby(
        group_keys(cells, by, catalog).to_numpy())[sums].sum()
    frame = frame[(frame["received"] > 0) | (frame["completed"] > 0)]
    if by is None and frame.empty:
        frame = pd.DataFrame(0, index=pd.Index(["all"]), columns=sums)
    frame["rated"] = frame[[f"rating_{v}" for v in RATING_LEVELS]].sum(axis=1)
    frame = frame.join(_percentiles(frame, "h", HOUR_BOUNDS, "hours")).join(
        _percentiles(frame, "pct", PCT_BOUNDS, "promised_pct"))
    for name, (part, whole) in RATES.items():
        frame[name] = frame[part] / frame[whole].where(frame[whole] > 0)
    frame["compression_ratio"] = frame["compression_sum"] / frame["compression_n"].where(frame["compression_n"] > 0)
    bad = frame[[f"rating_{v}" for v in RATING_LEVELS if v <= BAD_REVIEW_MAX]].sum(axis=1)
    frame["bad_reviews"] = bad.astype("int64")
    frame["bad_review_rate"] = bad / frame["rated"].where(frame["rated"] > 0)
    histogram = [c for c in ROLLUP_COMPLETED if c.startswith(("h_", "pct_"))]
    frame = frame.drop(columns=["compression_sum", "compression_n", *histogram])
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
    cells = [Application.matter_code.label("matter"), func.coalesce(Application.district, "").label("district"),
             Application.channel, state.label("state")]
    # only the window and the level in SQL, so the planner reads the bad reviews' partial index (a literal level
    # it can match); the scope and the slice filter the few hundred groups
    frame = keep(session, rows(session, select(*cells, func.count().label("count")).where(
        Application.completed_at >= start, Application.completed_at < end,
        Application.rating <= literal_column(str(BAD_REVIEW_MAX))).group_by(*cells)), scope, where)
    frame = frame.assign(key=group_keys(frame, by, matter_catalog(session)))
    return frame.groupby(["key", "state"], as_index=False)["count"].sum()[["key", "state", "count"]]


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
