"""MTTA and MTTR by severity, category and department and per local day equal a pandas recomputation from the
alert history (the alerts and their audit trail), on SQLite and PostgreSQL; a district scope sees its own."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.access import Scope
from services.alerts import acknowledge, escalate, resolve, response_times, response_trend
from services.store import Alert, AlertAction, District

T0 = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
ZONE = ZoneInfo("Asia/Shanghai")
ROUTING = (("met", "weather"), ("fire", "fire"), ("health", "medical"))
SEVERITIES = ("extreme", "severe", "moderate", "minor")
CATEGORIES = ("met", "fire", "health", "geo")


def _history(session: Session, n: int = 160, seed: int = 3) -> None:
    """`n` alert messages over four days, worked through the real operator commands at chosen moments: some
    acknowledged (a few escalated and acknowledged again later), some resolved without an acknowledgement, storm
    members acknowledged with their head (a time, no action of their own), updates, and old rows without a
    received time."""
    rng = np.random.default_rng(seed)
    for code in ("350203", "350206"):
        session.add(District(adcode=code, name_zh=code, name_en=code, geometry="{}"))
    session.flush()
    for i in range(n):
        received = T0 + timedelta(seconds=float(rng.uniform(0, 4 * 86400)))
        old = rng.random() < 0.05
        alert = Alert(stream_id=f"{i}-0", alert_id=f"a{i}", source="test", sent_at=received - timedelta(seconds=30),
                      severity=str(rng.choice(SEVERITIES)), urgency="immediate", certainty="observed",
                      category=str(rng.choice(CATEGORIES)), event="e", headline=f"h{i}",
                      district=str(rng.choice(["350203", "350206"])),
                      msg_type="update" if rng.random() < 0.08 else "alert", status="new",
                      received_at=None if old else received)
        session.add(alert)
        session.flush()
        fate = rng.random()
        at = received + timedelta(seconds=float(rng.exponential(600)))
        if fate < 0.5:
            acknowledge(session, alert.id, user="op", now=at)
            if rng.random() < 0.3:
                escalate(session, alert.id, user="op", to="dept:fire", now=at + timedelta(minutes=5))
                acknowledge(session, alert.id, user="op2", now=at + timedelta(minutes=20))
            if rng.random() < 0.7:
                resolve(session, alert.id, user="op", now=at + timedelta(seconds=float(rng.exponential(3600))))
        elif fate < 0.65:
            resolve(session, alert.id, user="op", now=at)
        elif fate < 0.75:
            alert.acknowledged_at, alert.status = at, "acknowledged"  # a storm member, acknowledged with its head
        elif fate < 0.78:
            alert.acknowledged_at, alert.status = received - timedelta(seconds=5), "acknowledged"  # clock skew
    session.commit()


def _frame(session: Session) -> pd.DataFrame:
    """The history as pandas sees it: one row per alert message with its first acknowledgement."""
    alerts = pd.DataFrame([tuple(r) for r in session.execute(select(
        Alert.id, Alert.severity, Alert.category, Alert.district, Alert.msg_type, Alert.received_at, Alert.sent_at,
        Alert.acknowledged_at, Alert.resolved_at))],
        columns=["id", "severity", "category", "district", "msg_type", "received_at", "sent_at", "acknowledged_at",
                 "resolved_at"])
    actions = pd.DataFrame([tuple(r) for r in session.execute(select(AlertAction.alert_id, AlertAction.at).where(
        AlertAction.action == "acknowledge"))], columns=["id", "at"])
    first = actions.groupby("id")["at"].min()
    for column in ("received_at", "sent_at", "acknowledged_at", "resolved_at"):
        alerts[column] = pd.to_datetime(alerts[column], utc=True)
    alerts["first_ack"] = pd.to_datetime(alerts["id"].map(first), utc=True)
    alerts["received"] = alerts["received_at"].fillna(alerts["sent_at"])
    acked = alerts["first_ack"].fillna(alerts["acknowledged_at"])
    seconds = lambda t: (t - pd.Timestamp(0, tz="UTC")).dt.total_seconds().floordiv(1)  # noqa: E731
    alerts["ack_s"] = (seconds(acked) - seconds(alerts["received"])).clip(lower=0)
    alerts["resolve_s"] = (seconds(alerts["resolved_at"]) - seconds(alerts["received"])).clip(lower=0)
    alerts["department"] = alerts["category"].map(dict(ROUTING)).fillna("other")
    return alerts[alerts["msg_type"] == "alert"]


def _reference(frame: pd.DataFrame, start: datetime, end: datetime, key: pd.Series) -> pd.DataFrame:
    inside = frame[(frame["received"] >= start) & (frame["received"] < end)]
    grouped = inside.groupby(key.loc[inside.index])
    return pd.DataFrame({"alerts": grouped.size(), "acknowledged": grouped["ack_s"].count(),
                         "mtta_min": grouped["ack_s"].mean() / 60, "resolved": grouped["resolve_s"].count(),
                         "mttr_min": grouped["resolve_s"].mean() / 60})


@pytest.mark.parametrize("by", ["severity", "category", "department"])
def test_mtta_and_mttr_equal_a_pandas_recomputation(session, by):
    _history(session)
    start, end = T0 + timedelta(hours=6), T0 + timedelta(days=3, hours=18)
    got = response_times(session=session, start=start, end=end, by=by, routing=ROUTING, fallback="other")
    frame = _frame(session)
    want = _reference(frame, start, end, frame[by])
    assert got["acknowledged"].sum() > 20 and got["resolved"].sum() > 20
    if by == "severity":
        assert list(got["key"]) == [s for s in ("extreme", "severe", "moderate", "minor") if s in set(got["key"])]
    else:
        assert list(got["alerts"]) == sorted(got["alerts"], reverse=True)  # most alerts first
    pd.testing.assert_frame_equal(got.set_index("key").sort_index(), want.sort_index(), check_names=False,
                                  check_dtype=False)


def test_the_daily_trend_equals_a_pandas_recomputation_by_local_day(session):
    _history(session)
    start, end = T0 - timedelta(hours=8), T0 + timedelta(days=4, hours=16)  # local midnights in Asia/Shanghai
    got = response_trend(session=session, start=start, end=end, zone=ZONE)
    frame = _frame(session)
    want = _reference(frame, start, end, frame["received"].dt.tz_convert(ZONE).dt.date)
    assert list(got["day"]) == [date(2026, 11, d) for d in (20, 21, 22, 23, 24)]
    pd.testing.assert_frame_equal(got.set_index("day"), want, check_names=False, check_dtype=False)


def test_a_district_scope_sees_its_own_alerts_and_bad_input_is_refused(session):
    _history(session, n=60)
    start, end = T0, T0 + timedelta(days=5)
    mine = response_times(session=session, start=start, end=end, by="severity", scope=Scope.of(["350203"]))
    frame = _frame(session)
    want = _reference(frame[frame["district"] == "350203"], start, end, frame["severity"])
    pd.testing.assert_frame_equal(mine.set_index("key").sort_index(), want.sort_index(), check_names=False,
                                  check_dtype=False)
    with pytest.raises(ValueError, match="by must be"):
        response_times(session=session, start=start, end=end, by="owner")
    assert UTC


def test_all_alerts_in_one_row_equal_the_pandas_means(session):
    _history(session, n=80)
    start, end = T0, T0 + timedelta(days=5)
    got = response_times(session=session, start=start, end=end, by="all")
    frame = _frame(session)
    want = _reference(frame, start, end, pd.Series("all", index=frame.index))
    pd.testing.assert_frame_equal(got.set_index("key"), want, check_names=False, check_dtype=False)


def test_the_breakdowns_and_the_trend_read_the_alerts_once(engine):
    """The analytics tab's three breakdowns and its daily trend are sums of one set of cells (day × severity ×
    category): one query over the alerts, where there were two."""
    from sqlalchemy import event

    from services.store import make_sessionmaker
    from services.store.cache import LocalQueryCache

    sessions = make_sessionmaker(engine, LocalQueryCache())
    with sessions() as session:
        _history(session, n=60)
        session.commit()
    reads: list[str] = []
    listen = lambda *args: reads.append(args[2]) if "FROM alerts" in args[2] else None  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        start, end = T0, T0 + timedelta(days=5)
        with sessions() as session:
            for by in ("severity", "category", "department"):
                response_times(session=session, start=start, end=end, by=by, routing=ROUTING, zone=ZONE)
            trend = response_trend(session=session, start=start, end=end, zone=ZONE)
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert len(reads) == 1, reads
    assert trend["alerts"].sum() > 0
