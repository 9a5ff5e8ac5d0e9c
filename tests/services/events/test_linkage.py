"""Linkage analytics on both backends against a pandas reference computed from the rows the test wrote."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from services.access import Scope
from services.events.linkage import department_names, department_stats, multi_department_share, trends
from services.events.queries import EventFilter
from services.store import Department, District, Event, EventDispatch

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
DEPARTMENTS = ("police", "medical", "fire", "water")


@pytest.fixture
def written(session) -> pd.DataFrame:
    """80 events over four days with one to three departments each; returns the dispatches as written."""
    rng = np.random.default_rng(7)
    session.add_all([District(adcode=c, name_zh=c, name_en=c, geometry="{}") for c in ("350203", "350206")])
    session.add_all([Department(code=c, name_zh=c, name_en=c, kind=c) for c in DEPARTMENTS])
    rows = []
    for n in range(80):
        reported = NOW - timedelta(hours=float(rng.uniform(1, 96)))
        event = Event(category="traffic", source="app", severity="minor", status="in_progress",
                      district=("350203", "350206")[n % 2], lat=24.45, lon=118.08, reported_at=reported,
                      sla_due_at=reported + timedelta(hours=float(rng.uniform(1, 90))))
        session.add(event)
        session.flush()
        for department in rng.choice(DEPARTMENTS, int(rng.integers(1, 4)), replace=False):
            sent = reported + timedelta(minutes=float(rng.uniform(1, 30)))
            steps = np.cumsum(rng.exponential([5, 20, 90]))
            reached = int(rng.integers(0, 4))  # how many of accept / arrive / finish have happened
            times = [sent + timedelta(minutes=float(s)) if i < reached else None for i, s in enumerate(steps)]
            session.add(EventDispatch(event_id=event.id, department=str(department), dispatched_at=sent,
                                      accepted_at=times[0], arrived_at=times[1], finished_at=times[2],
                                      status="dispatched"))
            rows.append({"event_id": event.id, "district": event.district, "department": str(department),
                         "reported": reported, "due": event.sla_due_at, "sent": sent,
                         "accept": times[0], "arrive": times[1], "finish": times[2]})
    session.commit()
    return pd.DataFrame(rows)


def _reference(rows: pd.DataFrame) -> pd.DataFrame:
    minutes = {stage: (pd.to_datetime(rows[stage], utc=True) - pd.to_datetime(rows["sent"], utc=True))
               .dt.total_seconds() / 60 for stage in ("accept", "arrive", "finish")}
    frame = pd.DataFrame({"department": rows["department"], **minutes})
    frame["open"] = rows["finish"].isna().astype(int)
    frame["overdue"] = (rows["finish"].isna() & (pd.to_datetime(rows["due"], utc=True) < NOW)).astype(int)
    grouped = frame.groupby("department")
    out = pd.DataFrame({"dispatches": grouped.size(), "open": grouped["open"].sum(),
                        "overdue": grouped["overdue"].sum()})
    for stage in ("accept", "arrive", "finish"):
        out[f"{stage}_p50"] = grouped[stage].quantile(0.5)
        out[f"{stage}_p90"] = grouped[stage].quantile(0.9)
    return out


def test_department_percentiles_and_counts_match_pandas(session, written):
    stats = department_stats(session=session, now=NOW).set_index("department")
    expected = _reference(written)
    assert set(stats.index) == set(DEPARTMENTS)
    for column in expected.columns:
        np.testing.assert_allclose(stats.loc[expected.index, column].astype(float), expected[column].astype(float),
                                   rtol=0, atol=1e-3, err_msg=column)
    ranked = stats.sort_values("rank")
    assert list(ranked["rank"]) == [1, 2, 3, 4]
    assert ranked["overdue"].is_monotonic_decreasing


def test_filters_and_scope_narrow_the_statistics(session, written):
    siming = department_stats(session=session, filters=EventFilter(district=("350203",)), now=NOW)
    assert siming["dispatches"].sum() == (written["district"] == "350203").sum()
    police = department_stats(session=session, scope=Scope.of(departments=["police"]), now=NOW)
    assert list(police["department"]) == ["police"]
    assert police["dispatches"].iloc[0] == (written["department"] == "police").sum()
    assert department_stats(session=session, filters=EventFilter(category=("none",)), now=NOW).empty


def test_multi_department_share_and_daily_trend(session, written):
    per_event = written.groupby("event_id")["department"].nunique()
    assert multi_department_share(session=session) == pytest.approx((per_event >= 2).mean())
    zone = ZoneInfo("Asia/Shanghai")
    daily = trends(session=session, zone=zone)
    reported = written.drop_duplicates("event_id").set_index("event_id")["reported"]
    days = pd.to_datetime(reported, utc=True).dt.tz_convert(zone).dt.tz_localize(None).dt.normalize()
    expected = (per_event >= 2).groupby(days).agg(["size", "mean"])
    assert list(daily["events"]) == list(expected["size"])
    np.testing.assert_allclose(daily["multi_share"], expected["mean"])
    assert multi_department_share(session=session, filters=EventFilter(category=("none",))) is None


def test_department_names_in_the_pages_language(session) -> None:
    session.add_all([Department(code="police", name_zh="公安局", name_en="Police", kind="police"),
                     Department(code="fire", name_zh="消防救援支队", name_en="Fire and Rescue", kind="fire")])
    session.commit()
    assert department_names(session=session, lang="zh-CN") == {"police": "公安局", "fire": "消防救援支队"}
    assert department_names(session=session, lang="en") == {"police": "Police", "fire": "Fire and Rescue"}
