"""The digital-divide lens: district × channel × applicant kind sums, the districts' gaps to the city with the
lagging ones flagged, and the daily trend of the gaps, equal to a pandas recomputation on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest

from services.access import Scope
from services.approvals import channel_table, district_gaps, gap_trend
from tests.services.approvals.data import DISTRICTS, NOW, applications, epoch, load


def _stored(session) -> pd.DataFrame:
    """Applications of both kinds, the second district filing mostly at the window: it lags online."""
    frame = applications(n=900)
    rng = np.random.default_rng(11)
    frame["applicant_kind"] = np.where(rng.random(len(frame)) < 0.3, "enterprise", "citizen").astype(object)
    behind = frame["district"] == DISTRICTS[1]
    frame.loc[behind, "channel"] = np.where(rng.random(int(behind.sum())) < 0.8, "window", "online")
    return load(session, frame)


def _reference(apps: pd.DataFrame, start, end) -> pd.DataFrame:
    s, e = start.timestamp(), end.timestamp()
    sub, done = epoch(apps["submitted_at"]), apps["completed_at"]
    received = (sub >= s) & (sub < e)
    completed = done.notna() & (epoch(done) >= s) & (epoch(done) < e) & apps["due_at"].notna()
    parts = pd.DataFrame({"received": received, "online": received & apps["channel"].isin(["online", "mobile"]),
                          "with_due": completed, "on_time": completed & (done <= apps["due_at"])}).astype("int64")
    keys = [apps["district"].fillna(""), apps["channel"], apps["applicant_kind"]]
    out = parts.groupby(keys).sum()
    out = out[out.sum(axis=1) > 0]
    out.index.names = ["district", "channel", "applicant_kind"]
    return out.reset_index()


def test_the_channel_table_equals_a_pandas_recomputation(session):
    apps = _stored(session)
    start, end = NOW - timedelta(days=7, minutes=13), NOW
    got = channel_table(session=session, start=start, end=end)
    want = _reference(apps, start, end)
    assert set(got["applicant_kind"]) == {"citizen", "enterprise"} and set(got["channel"]) == {
        "online", "mobile", "window", "kiosk"}
    pd.testing.assert_frame_equal(got[want.columns], want, check_dtype=False)
    assert got["online_share"].equals(got["online"] / got["received"].where(got["received"] > 0))


def test_the_district_that_files_at_the_window_is_flagged_against_the_city(session):
    apps = _stored(session)
    start, end = NOW - timedelta(days=7), NOW
    gaps = district_gaps(channel_table(session=session, start=start, end=end), gap_points=10)
    want = _reference(apps, start, end).groupby("district")[["received", "online"]].sum()
    city = want["online"].sum() / want["received"].sum()
    expected = (want["online"] / want["received"] - city) * 100
    assert gaps.set_index("district")["online_gap"].to_dict() == pytest.approx(expected.to_dict())
    assert list(gaps[gaps["lagging"]]["district"]) == [DISTRICTS[1]]
    assert gaps.iloc[0]["district"] == DISTRICTS[1]  # laggards first
    assert district_gaps(channel_table(session=session, start=start, end=end), gap_points=90)["lagging"].sum() == 0
    assert gaps.attrs["city_online_share"] == pytest.approx(city)


def test_the_gap_trend_equals_a_pandas_recomputation_by_utc_day(session):
    apps = _stored(session)
    start, end = NOW - timedelta(days=6, hours=5), NOW
    got = gap_trend(session=session, start=start, end=end)
    first = (start + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    last = end.replace(hour=0, minute=0, second=0, microsecond=0)
    sub, done = apps["submitted_at"], apps["completed_at"]
    days = []
    day = first
    while day < last:
        days.append(_reference(apps, day, day + timedelta(days=1)).assign(day=day.date()))
        day += timedelta(days=1)
    ref = pd.concat(days).groupby(["day", "district"])[["received", "online", "with_due", "on_time"]].sum()
    city = ref.groupby("day").sum()
    share = ref["online"] / ref["received"].where(ref["received"] > 0)
    gap = (share - (city["online"] / city["received"]).reindex(share.index, level="day")) * 100
    assert sub.notna().all() and done.notna().any()
    assert len(got) == len(ref) and got["day"].nunique() == 5
    assert got.set_index(["day", "district"])["online_gap"].to_dict() == pytest.approx(gap.to_dict(), nan_ok=True)
    behind = got[got["district"] == DISTRICTS[1]]
    assert (behind["online_gap"] < 0).all()


def test_a_district_scope_sees_its_own(session):
    _stored(session)
    start, end = NOW - timedelta(days=7), NOW
    mine = channel_table(session=session, start=start, end=end, scope=Scope.of([DISTRICTS[0]]))
    assert set(mine["district"]) == {DISTRICTS[0]}
    assert set(gap_trend(session=session, start=start, end=end, scope=Scope.of([DISTRICTS[0]]))["district"]) == {
        DISTRICTS[0]}
