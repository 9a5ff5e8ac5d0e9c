"""The approval metrics service reformers track, by department, matter, district or channel (or overall).

The sums come from the rollup (`services.approvals.cells`), per matter (and district or channel); pandas rolls the
matters up to departments and adds what the catalog knows (instant, statutory and promised days). Processing-time
percentiles come from the rollup's fixed-bucket histograms: a percentile is the lower bound of the bucket holding
the exact one (the value at rank q·(n−1), as pandas' interpolation="lower"), so it is exact below 8 h (10 points
of the promised time) and at most 25 % low above (see `services.store.HOUR_BOUNDS`, `PCT_BOUNDS`). The reasons,
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
from services.approvals.cells import MEASURES, keep, needs, window_sums
from services.approvals.queries import (
    ALL,
    CACHE,
    Slice,
    epoch,
    group_keys,
    grouped,
    matter_catalog,
    rows,
    scoped,
    with_key,
)
from services.store import HOUR_BOUNDS, PCT_BOUNDS, ROLLUP_COMPLETED, ROLLUP_RECEIVED, Application, Matter
from services.store.cache import cached_query

RATING_LEVELS = (1, 2, 3, 4, 5)
BAD_REVIEW_MAX = 2
QUANTILES = {"p50": 0.5, "p90": 0.9}
RATES = {"instant_rate": ("instant", "received"), "fully_online_rate": ("fully_online", "received"),
         "visits_per_application": ("visits", "received"), "one_visit_share": ("at_most_one_visit", "received"),
         "no_visit_share": ("no_visit", "received"), "return_rate": ("returned", "received"),
         "on_time_rate": ("on_time", "with_due")}


def _n(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


def lower_quantiles(values: np.ndarray, counts: np.ndarray, q: float) -> np.ndarray:
    """The value at rank floor(q·(n−1)) of each row of `counts`, a histogram over `values` per row (pandas'
    interpolation="lower"); NaN for an empty row. One array pass for a whole table's rows."""
    order = np.argsort(values)
    cumulative = np.cumsum(np.asarray(counts)[:, order], axis=1)
    total = cumulative[:, -1]
    index = (cumulative <= np.floor(q * (total - 1))[:, None]).sum(axis=1)
    return np.where(total > 0, np.asarray(values, dtype=float)[order][np.minimum(index, len(order) - 1)], np.nan)


def lower_quantile(values: np.ndarray, counts: np.ndarray, q: float) -> float:
    """`lower_quantiles` of one histogram."""
    return math.nan if len(values) == 0 else float(lower_quantiles(values, np.asarray(counts)[None, :], q)[0])


def bucket_floor(value: float, bounds: tuple[int, ...]) -> float:
    """The lower bound of the histogram bucket holding `value` (what a percentile of the rollup reports)."""
    if math.isnan(value):
        return math.nan
    return float(bounds[max(int(np.searchsorted(bounds, value, side="right")) - 1, 0)])


def summary(*, session: Session, start: datetime, end: datetime, by: str | None = None,
            scope: Scope = CITY_WIDE, where: Slice = ALL) -> pd.DataFrame:
    """One row per group (`key`) with every rate of the module docstring; rates are NaN where nothing counts."""
    return summaries(session=session, start=start, end=end, by=(by,), scope=scope, where=where)[0]


@cached_query(CACHE)
def summaries(*, session: Session, start: datetime, end: datetime, by: Sequence[str | None],
              scope: Scope = CITY_WIDE, where: Slice = ALL) -> list[pd.DataFrame]:
    """`summary` for each breakdown in `by`, from one read of the rollup for all those it rolls up from matters
    (overall, department, matter): a view's overall row and its table cost one query."""
    catalog = matter_catalog(session)
    read: dict[str | None, tuple[pd.DataFrame, np.ndarray]] = {}
    out = []
    for group in by:
        dim = group if group in ("district", "channel") else None
        if dim not in read:
            cells = window_sums(session=session, start=start, end=end, by=dim, scope=scope, where=where)
            read[dim] = cells, _per_cell(cells, catalog)
        out.append(_summarize(*read[dim], group, catalog))
    return out


OUTCOMES = ("received", "returned", "with_due", "on_time", *(f"rating_{v}" for v in RATING_LEVELS))


def outcome_counts(*, session: Session, start: datetime, end: datetime, by: str, scope: Scope = CITY_WIDE
                   ) -> pd.DataFrame:
    """Per department or district (`key`; '' for no district) over [start, end): `received`, `returned`,
    `with_due`, `on_time`, `rated` and `bad_reviews`, the counts `summary` rates, read as those few rollup measures
    only (a ranking over every unit needs no more, and each summed column costs as much as the cells' scan)."""
    if by not in ("department", "district"):
        raise ValueError(f"by must be department or district, got {by!r}")
    cells = window_sums(session=session, start=start, end=end, by=by if by == "district" else None, scope=scope,
                        where=ALL, measures=OUTCOMES)
    sums = cells[list(OUTCOMES)].groupby(group_keys(cells, by, matter_catalog(session)).to_numpy()).sum()
    ratings = sums[[f"rating_{v}" for v in RATING_LEVELS]]
    out = sums[["received", "returned", "with_due", "on_time"]].assign(
        rated=ratings.sum(axis=1), bad_reviews=ratings.iloc[:, :BAD_REVIEW_MAX].sum(axis=1))
    out.index.name = "key"
    return out.reset_index()


def _ratio(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    ratio: np.ndarray = np.divide(part, whole, out=np.full(len(part), np.nan), where=whole > 0)
    return ratio


def _per_cell(cells: pd.DataFrame, catalog: pd.DataFrame) -> np.ndarray:
    """The cells' measures and what the catalog adds (instant, compression count and sum) as one block, computed
    once for every breakdown summed from the same read."""
    matters = catalog.reindex(cells["matter"])
    statutory = matters["statutory_days"].where(matters["statutory_days"] > 0).to_numpy(float)
    ratio = (statutory - matters["promised_days"].fillna(0).to_numpy(float)) / statutory
    received = cells["received"].to_numpy(np.int64)
    return np.column_stack([cells[list(MEASURES)].to_numpy(np.int64),
                            np.where(matters["kind"].to_numpy() == "instant", received, 0),
                            np.where(np.isnan(ratio), 0, received), np.nan_to_num(ratio) * received])


def _summarize(cells: pd.DataFrame, counts: np.ndarray, by: str | None, catalog: pd.DataFrame) -> pd.DataFrame:
    """The groups' sums and rates in numpy over `_per_cell`'s block, one frame built at the end: pandas' per-column
    work on some 90 columns cost more than the rollup read it summarizes."""
    keys = group_keys(cells, by, catalog).to_numpy(dtype=object)
    known = pd.notna(keys)
    names, groups = np.unique(keys[known].astype(str), return_inverse=True)
    sums = np.zeros((len(names), counts.shape[1]))
    np.add.at(sums, groups, counts[known])
    column = {name: sums[:, i] for i, name in enumerate([*MEASURES, "instant", "compression_n", "compression_sum"])}
    kept = (column["received"] > 0) | (column["completed"] > 0)
    if by is None and not kept.any():
        names, sums, kept = np.array(["all"]), np.zeros((1, counts.shape[1])), np.array([True])
    column = {name: values[kept] for name, values in zip(column, sums.T, strict=True)}
    counted = [*ROLLUP_RECEIVED, "instant", *(c for c in ROLLUP_COMPLETED if not c.startswith(("h_", "pct_")))]
    out: dict[str, Any] = {"key": names[kept], **{c: column[c].astype(np.int64) for c in counted}}
    out["rated"] = sum(out[f"rating_{v}"] for v in RATING_LEVELS)
    for name, prefix, bounds in (("hours", "h", HOUR_BOUNDS), ("promised_pct", "pct", PCT_BOUNDS)):
        histogram = np.column_stack([column[f"{prefix}_{b}"] for b in bounds])
        out.update({f"{p}_{name}": lower_quantiles(np.asarray(bounds), histogram, q) for p, q in QUANTILES.items()})
    out.update({name: _ratio(column[part], column[whole]) for name, (part, whole) in RATES.items()})
    out["compression_ratio"] = _ratio(column["compression_sum"], column["compression_n"])
    out["bad_reviews"] = sum(out[f"rating_{v}"] for v in RATING_LEVELS if v <= BAD_REVIEW_MAX)
    out["bad_review_rate"] = _ratio(out["bad_reviews"], out["rated"])
    return pd.DataFrame(out)


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


@cached_query(CACHE)
def bad_review_followups(*, session: Session, start: datetime, end: datetime, by: str | None = None,
                         scope: Scope = CITY_WIDE, where: Slice = ALL) -> pd.DataFrame:
    """How the bad reviews (levels 1–2) of applications completed in the window are being followed up
    (columns key, state, count); a bad review nobody has picked up yet counts as "pending"."""
    state = func.coalesce(Application.rating_followup, "pending")
    dims = {"district": func.coalesce(Application.district, "").label("district"), "channel": Application.channel}
    cells = [Application.matter_code.label("matter"), *[dims[d] for d in sorted(needs(by, scope, where))],
             state.label("state")]
    # only the window and the level in SQL, so the planner reads the bad reviews' partial index (a literal level
    # it can match); the scope and the slice filter the few hundred groups, which keep a district or channel only
    # where the breakdown or a limit needs it
    frame = keep(session, rows(session, select(*cells, func.count().label("count")).where(
        Application.completed_at >= start, Application.completed_at < end,
        Application.rating <= literal_column(str(BAD_REVIEW_MAX))).group_by(*cells)), scope, where)
    frame = frame.assign(key=group_keys(frame, by, matter_catalog(session)))
    return frame.groupby(["key", "state"], as_index=False)["count"].sum()[["key", "state", "count"]]


@cached_query(CACHE)
def bundle_savings(*, session: Session, start: datetime, end: datetime, scope: Scope = CITY_WIDE,
                   where: Slice = ALL) -> pd.DataFrame:
    """Per one-thing bundle, over its cases filed in the window whose every application is completed: the time of
    the parallel process (first submission to last completion) against the sum of its applications' own times
    (columns bundle, cases, parallel_hours, sequential_hours, saved_hours, saved_share; means per case). The
    means are taken in SQL: a week's thousands of cases stay in the database."""
    submitted, completed = epoch(session, Application.submitted_at), epoch(session, Application.completed_at)
    first, last = func.min(Application.submitted_at), func.max(Application.completed_at)  # converted once a case
    cases = scoped(select(func.min(Application.matter_code).label("matter"), epoch(session, first).label("first"),
                          epoch(session, last).label("last"), func.sum(completed - submitted).label("sequential")),
                   scope, where).where(
        Application.bundle_case.is_not(None), Application.submitted_at >= start - timedelta(days=1),
        Application.submitted_at < end).group_by(Application.bundle_case).having(
        func.count(Application.completed_at) == func.count(), first >= start).subquery()
    stmt = select(Matter.bundle, func.count(), func.avg(cases.c.last - cases.c.first), func.avg(cases.c.sequential)) \
        .join_from(cases, Matter, Matter.code == cases.c.matter).where(Matter.bundle.is_not(None)) \
        .group_by(Matter.bundle)
    columns = ["bundle", "cases", "parallel_hours", "sequential_hours", "saved_hours", "saved_share"]
    out = pd.DataFrame([(bundle, int(n), float(parallel) / 3600, float(sequential) / 3600)
                        for bundle, n, parallel, sequential in session.execute(stmt)], columns=columns[:4])
    out["saved_hours"] = out["sequential_hours"] - out["parallel_hours"]
    out["saved_share"] = out["saved_hours"] / out["sequential_hours"].where(out["sequential_hours"] > 0)
    return out[columns].sort_values("bundle", ignore_index=True)
