"""Approvals throughput against a pandas reference, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from services.approvals.queries import hourly_throughput
from services.store import Application, Department, Matter

NOW = datetime(2026, 11, 23, 12, 25, tzinfo=UTC)


def test_hourly_throughput_matches_pandas(session):
    session.add(Department(code="ms", name_zh="市场监管局", name_en="Market Regulation", kind="regulation"))
    session.flush()  # no relationship orders the two inserts: the department must exist before its matter
    session.add(Matter(code="M1", name_zh="营业执照", name_en="Business licence", department="ms", kind="promised",
                       statutory_days=15, promised_days=3))
    session.flush()
    rng = np.random.default_rng(7)
    submitted = [NOW - timedelta(minutes=int(m)) for m in rng.integers(0, 48 * 60, 400)]
    completed = [s + timedelta(minutes=int(m)) if m < 600 else None
                 for s, m in zip(submitted, rng.integers(0, 900, 400), strict=True)]
    completed = [c if c is None or c <= NOW else None for c in completed]
    session.add_all([Application(matter_code="M1", applicant_kind="citizen", channel="online", submitted_at=s,
                                 completed_at=c, status="approved" if c else "in_review", visits=0)
                     for s, c in zip(submitted, completed, strict=True)])
    session.commit()

    flow = hourly_throughput(session=session, hours=24, now=NOW)

    assert len(flow) == 24 and flow["hour"].iloc[-1] == pd.Timestamp("2026-11-23 12:00", tz="UTC")
    start = pd.Timestamp("2026-11-22 13:00", tz="UTC")
    ref_received = pd.Series(pd.to_datetime(submitted, utc=True)).loc[lambda s: s >= start].dt.floor("h")
    ref_completed = pd.Series(pd.to_datetime([c for c in completed if c], utc=True)).loc[
        lambda s: s >= start].dt.floor("h")
    for column, reference in (("received", ref_received), ("completed", ref_completed)):
        expected = reference.value_counts().reindex(flow["hour"], fill_value=0).to_numpy()
        assert (flow[column].to_numpy() == expected).all()
    assert flow["received"].sum() > 0


def test_hourly_throughput_of_an_empty_store_is_zeros(session):
    flow = hourly_throughput(session=session, hours=6, now=NOW)
    assert len(flow) == 6 and flow[["received", "completed"]].to_numpy().sum() == 0


def test_throughput_and_backlog_match_pandas_by_hour_and_day(session):
    from zoneinfo import ZoneInfo

    from services.approvals.queries import daily_throughput
    from tests.services.approvals.data import NOW as AT
    from tests.services.approvals.data import applications, load

    frame = load(session, applications(days=12))
    zone = ZoneInfo("Asia/Shanghai")

    hourly = hourly_throughput(session=session, hours=48, now=AT)
    daily = daily_throughput(session=session, days=9, now=AT, zone=zone)

    for got, column, step in ((hourly, "hour", pd.Timedelta(hours=1)), (daily, "day", pd.Timedelta(days=1))):
        for bucket, row in got.set_index(column).iterrows():
            end = bucket + step
            inside = frame["submitted_at"].between(bucket, end, inclusive="left")
            done = frame["completed_at"].between(bucket, end, inclusive="left")
            open_at_end = (frame["submitted_at"] < end) & ~(frame["completed_at"] < end)
            assert (row["received"], row["completed"], row["backlog"]) == (inside.sum(), done.sum(),
                                                                           open_at_end.sum()), bucket
    assert daily["day"].iloc[-1].tz_convert(zone).hour == 0 and daily["received"].sum() > 0
    assert hourly["backlog"].iloc[-1] == frame["completed_at"].isna().sum()


def test_throughput_of_one_department_counts_only_its_matters(session):
    from services.access import Scope
    from tests.services.approvals.data import NOW as AT
    from tests.services.approvals.data import applications, load

    frame = load(session, applications())
    flow = hourly_throughput(session=session, hours=72, now=AT, scope=Scope.of(departments=["d3"]))
    start = flow["hour"].iloc[0]
    assert flow["received"].sum() == ((frame["department"] == "d3") & (frame["submitted_at"] >= start)).sum() > 0


def test_throughput_of_a_channel_slice_counts_applications(session):
    """No hour level keeps channels: the throughput of a channel slice counts applications, to the same numbers."""
    from services.approvals.queries import Slice
    from tests.services.approvals.data import NOW as AT
    from tests.services.approvals.data import applications, load

    frame = load(session, applications())
    flow = hourly_throughput(session=session, hours=30, now=AT, where=Slice(channel="kiosk"))
    kiosk = frame[frame["channel"] == "kiosk"]
    for hour, row in flow.set_index("hour").iterrows():
        end = hour + pd.Timedelta(hours=1)
        assert row["received"] == kiosk["submitted_at"].between(hour, end, inclusive="left").sum()
        assert row["backlog"] == ((kiosk["submitted_at"] < end) & ~(kiosk["completed_at"] < end)).sum()
    assert flow["received"].sum() > 0
