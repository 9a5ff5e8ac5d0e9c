"""Every approval metric against a pandas reference computed from the same generated applications, on SQLite
and PostgreSQL, by each breakdown; plus the edge cases: no applications, matters with no promised time."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from services.access import Scope
from services.approvals.metrics import (
    bad_review_followups,
    bucket_floor,
    bundle_savings,
    lower_quantile,
    return_reasons,
    summary,
)
from services.approvals.queries import Slice
from services.store import HOUR_BOUNDS, PCT_BOUNDS
from tests.services.approvals.data import NOW, applications, epoch, load, window

KEYS = {None: None, "department": "department", "matter": "matter_code", "district": "district",
        "channel": "channel"}


def _reference(frame: pd.DataFrame, start, end, by: str | None) -> pd.DataFrame:
    """The module's definitions, written the plain pandas way, one group at a time."""
    frame = frame.assign(key="all" if by is None else frame[KEYS[by]])
    rec = frame[(frame["submitted_at"] >= start) & (frame["submitted_at"] < end)]
    done = frame[(frame["completed_at"] >= start) & (frame["completed_at"] < end)]
    rows = {}
    for key in sorted(set(rec["key"]) | set(done["key"])):
        r, d = rec[rec["key"] == key], done[done["key"] == key]
        started = d["accepted_at"].fillna(d["submitted_at"])
        elapsed = epoch(d["completed_at"]) - epoch(started)
        promised = d["promised_days"].fillna(0)
        share = (elapsed.floordiv(3600) * 100).floordiv(promised * 24)[promised > 0]
        due = d[d["due_at"].notna()]
        rated = d["rating"].dropna()
        statutory = r[r["statutory_days"].fillna(0) > 0]
        rows[key] = {
            "received": len(r),
            "instant_rate": (r["kind"] == "instant").mean() if len(r) else math.nan,
            "fully_online_rate": (r["channel"].isin(["online", "mobile"]) & (r["visits"] == 0)).mean()
            if len(r) else math.nan,
            "visits_per_application": r["visits"].mean() if len(r) else math.nan,
            "one_visit_share": (r["visits"] <= 1).mean() if len(r) else math.nan,
            "no_visit_share": (r["visits"] == 0).mean() if len(r) else math.nan,
            "return_rate": r["return_reason"].notna().mean() if len(r) else math.nan,
            "compression_ratio": ((statutory["statutory_days"] - statutory["promised_days"])
                                  / statutory["statutory_days"]).mean() if len(statutory) else math.nan,
            "completed": len(d),
            "on_time_rate": (due["completed_at"] <= due["due_at"]).mean() if len(due) else math.nan,
            **{f"{name}_hours": bucket_floor(elapsed.floordiv(3600).quantile(q, interpolation="lower"), HOUR_BOUNDS)
               if len(d) else math.nan for name, q in (("p50", 0.5), ("p90", 0.9))},
            **{f"{name}_promised_pct": bucket_floor(share.quantile(q, interpolation="lower"), PCT_BOUNDS)
               if len(share) else math.nan for name, q in (("p50", 0.5), ("p90", 0.9))},
            **{f"rating_{v}": int((rated == v).sum()) for v in range(1, 6)},
            "bad_review_rate": (rated <= 2).mean() if len(rated) else math.nan,
        }
    return pd.DataFrame.from_dict(rows, orient="index")


def _assert_matches(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.index) == list(want.index) and len(got) > 0
    for column in want.columns:
        assert np.allclose(got[column].to_numpy(float), want[column].to_numpy(float), equal_nan=True), column


@pytest.mark.parametrize("aligned", [False, True], ids=["partial-hours", "whole-hours"])
@pytest.mark.parametrize("by", list(KEYS))
def test_summary_matches_pandas(session, by, aligned):
    """Whole hours come from the rollup's cells alone; a window that starts and ends mid-hour also sums the
    applications of its partial hours."""
    frame = load(session, applications())
    start, end = window(NOW.replace(minute=0, second=0) if aligned else NOW)

    got = summary(session=session, start=start, end=end, by=by).set_index("key")
    want = _reference(frame, start, end, by)

    _assert_matches(got, want)
    assert got["received"].sum() > 0 and got["completed"].sum() > 0


@pytest.mark.parametrize("by", ["matter", "channel"])
def test_summary_of_a_district_scope_and_a_channel_slice_matches_pandas(session, by):
    """The levels that keep districts (and channels) answer a district-scoped analyst and a channel slice."""
    frame = load(session, applications())
    start, end = window(NOW.replace(minute=0, second=0))
    scope, where = Scope.of(districts=["350206"]), Slice(channel="online") if by == "matter" else Slice()

    got = summary(session=session, start=start, end=end, by=by, scope=scope, where=where).set_index("key")
    part = frame[(frame["district"] == "350206") & ((frame["channel"] == "online") if by == "matter" else True)]
    _assert_matches(got, _reference(part, start, end, by))


def test_all_overdue_gives_a_zero_on_time_rate(session):
    frame = applications()
    done = frame["completed_at"].notna()
    frame.loc[done, "due_at"] = frame.loc[done, "completed_at"] - pd.Timedelta(minutes=1)
    frame = load(session, frame)
    start, end = window()

    got = summary(session=session, start=start, end=end, by="matter").set_index("key")

    assert (got.loc[got["with_due"] > 0, "on_time_rate"] == 0).all() and got["with_due"].sum() > 0
    _assert_matches(got, _reference(frame, start, end, "matter"))


def test_summary_respects_scope_and_slice(session):
    frame = load(session, applications())
    start, end = window()

    by_scope = summary(session=session, start=start, end=end, by="department", scope=Scope.of(departments=["d2"]))
    by_district = summary(session=session, start=start, end=end, scope=Scope.of(districts=["350203"]),
                          where=Slice(matter="P3"))

    assert list(by_scope["key"]) == ["d2"]
    sub = frame[(frame["district"] == "350203") & (frame["matter_code"] == "P3")]
    assert by_district["received"].item() == ((sub["submitted_at"] >= start) & (sub["submitted_at"] < end)).sum()


def test_no_applications_gives_zeros_and_nan_rates(session):
    load(session, applications(n=10).iloc[0:0])
    start, end = window()

    overall = summary(session=session, start=start, end=end)
    by_department = summary(session=session, start=start, end=end, by="department")

    assert overall["received"].item() == 0 and overall["completed"].item() == 0
    assert math.isnan(overall["on_time_rate"].item()) and math.isnan(overall["p90_hours"].item())
    assert by_department.empty
    assert return_reasons(session=session, start=start, end=end).empty
    assert bundle_savings(session=session, start=start, end=end).empty


def test_matter_without_promised_time_has_no_share_no_compression_no_due(session):
    load(session, applications())
    start, end = window()

    row = summary(session=session, start=start, end=end, by="matter").set_index("key").loc["N1"]

    assert row["received"] > 0 and row["completed"] > 0
    assert math.isnan(row["compression_ratio"]) and math.isnan(row["p50_promised_pct"])
    assert math.isnan(row["on_time_rate"])  # no due time, so nothing to be on time against
    assert not math.isnan(row["p50_hours"])


def test_return_reasons_and_followups_match_pandas(session):
    frame = load(session, applications())
    start, end = window()
    received = frame[(frame["submitted_at"] >= start) & (frame["submitted_at"] < end)]
    completed = frame[(frame["completed_at"] >= start) & (frame["completed_at"] < end)]

    reasons = return_reasons(session=session, start=start, end=end, by="department", top=2)
    followups = bad_review_followups(session=session, start=start, end=end)

    for key, part in reasons.groupby("key"):
        counts = received[received["department"] == key]["return_reason"].value_counts()
        want = counts.reset_index().sort_values(["count", "return_reason"], ascending=[False, True]).head(2)
        assert list(part["reason"]) == list(want["return_reason"])
        assert list(part["count"]) == list(want["count"])
        assert np.allclose(part["share"], want["count"] / counts.sum())
    bad = completed[completed["rating"] <= 2]["rating_followup"].fillna("pending").value_counts()
    assert dict(zip(followups["state"], followups["count"], strict=True)) == bad.to_dict()
    scoped = bad_review_followups(session=session, start=start, end=end, by="matter",
                                  scope=Scope.of(departments=["d2"], districts=["350203"]))
    part = completed[(completed["rating"] <= 2) & (completed["department"] == "d2")
                     & (completed["district"] == "350203")]
    want = part.assign(state=part["rating_followup"].fillna("pending")).groupby(["matter_code", "state"]).size()
    assert {(k, s): n for k, s, n in scoped.itertuples(index=False)} == want.to_dict() and len(want) > 0


def test_bundle_time_saved_matches_pandas(session):
    frame = load(session, applications())
    start, end = window()

    got = bundle_savings(session=session, start=start, end=end)

    cases = frame[frame["bundle_case"].notna()].groupby("bundle_case").agg(
        first=("submitted_at", "min"), done=("completed_at", "count"), size=("submitted_at", "size"))
    cases = cases[(cases["done"] == cases["size"]) & (cases["first"] >= start) & (cases["first"] < end)]
    rows = frame[frame["bundle_case"].isin(cases.index)].assign(
        s=lambda f: epoch(f["submitted_at"]), c=lambda f: epoch(f["completed_at"]))
    per_case = rows.groupby("bundle_case").agg(first=("s", "min"), last=("c", "max"), seq=("c", "sum"),
                                               sub=("s", "sum"))
    parallel = (per_case["last"] - per_case["first"]) / 3600
    sequential = (per_case["seq"] - per_case["sub"]) / 3600
    assert got["bundle"].tolist() == ["b1"] and got["cases"].item() == len(per_case) > 0
    assert np.isclose(got["parallel_hours"].item(), parallel.mean())
    assert np.isclose(got["sequential_hours"].item(), sequential.mean())
    assert np.isclose(got["saved_hours"].item(), sequential.mean() - parallel.mean())
    assert got["saved_hours"].item() > 0


def test_lower_quantile_is_pandas_lower_interpolation():
    values = np.array([5, 1, 3, 9])
    counts = np.array([2, 1, 4, 1])
    flat = pd.Series(np.repeat(values, counts))
    for q in (0.0, 0.1, 0.5, 0.9, 1.0):
        assert lower_quantile(values, counts, q) == flat.quantile(q, interpolation="lower")
    assert math.isnan(lower_quantile(np.array([]), np.array([]), 0.5))
