"""Mean time to dispatch and to arrival, by department and district and per local day, equal a pandas
recomputation from the stored events and dispatches on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.access import Scope
from services.events import dispatch_times, dispatch_trend
from services.store import Event, EventDispatch
from tests.services.approvals.data import NOW, install_catalog
from tests.services.rankings.data import events

ZONE = ZoneInfo("Asia/Shanghai")


def _frame(session: Session) -> pd.DataFrame:
    """Every dispatch with its event, as pandas reads them back from the store."""
    rows = session.execute(select(EventDispatch.department, EventDispatch.dispatched_at, EventDispatch.arrived_at,
                                  Event.district, Event.reported_at, Event.status)
                           .join(Event, Event.id == EventDispatch.event_id)).all()
    frame = pd.DataFrame([tuple(r) for r in rows], columns=["department", "dispatched_at", "arrived_at", "district",
                                                            "reported_at", "status"])
    for column in ("dispatched_at", "arrived_at", "reported_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    frame["to_dispatch"] = (frame["dispatched_at"] - frame["reported_at"]).dt.total_seconds().clip(lower=0)
    frame["to_arrive"] = (frame["arrived_at"] - frame["reported_at"]).dt.total_seconds().clip(lower=0)
    frame["district"] = frame["district"].fillna("")
    return frame[frame["status"] != "cancelled"]


def _reference(frame: pd.DataFrame, start: datetime, end: datetime, key: pd.Series) -> pd.DataFrame:
    inside = frame[(frame["reported_at"] >= start) & (frame["reported_at"] < end)]
    grouped = inside.groupby(key.loc[inside.index])
    return pd.DataFrame({"dispatches": grouped.size(), "dispatch_min": grouped["to_dispatch"].mean() / 60,
                         "arrived": grouped["to_arrive"].count(), "arrival_min": grouped["to_arrive"].mean() / 60})


@pytest.mark.parametrize("by", ["department", "district"])
def test_dispatch_and_arrival_times_equal_a_pandas_recomputation(session, by):
    install_catalog(session)
    events(session, NOW, n=250)
    start, end = NOW - timedelta(days=9), NOW - timedelta(hours=3)
    got = dispatch_times(session=session, start=start, end=end, by=by)
    frame = _frame(session)
    want = _reference(frame, start, end, frame[by])
    assert got["arrived"].sum() > 50
    pd.testing.assert_frame_equal(got.set_index("key").sort_index(), want.sort_index(), check_names=False,
                                  check_dtype=False, rtol=1e-6)


def test_the_daily_trend_and_a_scope_equal_a_pandas_recomputation(session):
    install_catalog(session)
    events(session, NOW, n=200)
    start = datetime(2026, 11, 15, 16, 0, tzinfo=NOW.tzinfo)  # local midnight in Asia/Shanghai
    end = start + timedelta(days=7)
    got = dispatch_trend(session=session, start=start, end=end, zone=ZONE)
    frame = _frame(session)
    want = _reference(frame, start, end, frame["reported_at"].dt.tz_convert(ZONE).dt.date)
    assert len(got) == 7
    pd.testing.assert_frame_equal(got.set_index("day"), want, check_names=False, check_dtype=False, rtol=1e-6)
    scope = Scope.of(departments={"d2"})
    mine = dispatch_times(session=session, start=start, end=end, by="department", scope=scope)
    assert list(mine["key"]) == ["d2"]
    with pytest.raises(ValueError, match="by must be"):
        dispatch_times(session=session, start=start, end=end, by="grid")


def test_all_dispatches_in_one_row_equal_the_pandas_means(session):
    install_catalog(session)
    events(session, NOW, n=120)
    start, end = NOW - timedelta(days=9), NOW
    got = dispatch_times(session=session, start=start, end=end, by="all")
    frame = _frame(session)
    want = _reference(frame, start, end, pd.Series("all", index=frame.index))
    pd.testing.assert_frame_equal(got.set_index("key"), want, check_names=False, check_dtype=False, rtol=1e-6)


@pytest.mark.parametrize("edges", [timedelta(0), timedelta(minutes=35)])
def test_the_figures_after_late_progress_equal_a_pandas_recomputation(session, edges):
    """Arrivals written hours late, a dispatch moved, events cancelled and moved in time: the rollup's whole hours
    plus the raw edges of a window not on the hour equal pandas over the stored rows."""
    install_catalog(session)
    events(session, NOW, n=200)
    waiting = session.scalars(select(EventDispatch).where(EventDispatch.arrived_at.is_(None)).limit(15)).all()
    for dispatch in waiting:
        dispatch.arrived_at = dispatch.dispatched_at + timedelta(hours=5)
    waiting[0].department = "d3"
    for event in session.scalars(select(Event).order_by(Event.id).limit(6)).all():
        event.status, event.reported_at = "cancelled", event.reported_at - timedelta(days=1)
    session.commit()
    start, end = NOW - timedelta(days=7) + edges, NOW - edges
    frame = _frame(session)
    for by in ("department", "district"):
        got = dispatch_times(session=session, start=start, end=end, by=by)
        want = _reference(frame, start, end, frame[by])
        pd.testing.assert_frame_equal(got.set_index("key").sort_index(), want.sort_index(), check_names=False,
                                      check_dtype=False, rtol=1e-6)
    day = datetime(2026, 11, 15, 16, 0, tzinfo=NOW.tzinfo) + edges
    got = dispatch_trend(session=session, start=day, end=day + timedelta(days=7), zone=ZONE)
    want = _reference(frame, day, day + timedelta(days=7), frame["reported_at"].dt.tz_convert(ZONE).dt.date)
    pd.testing.assert_frame_equal(got.set_index("day"), want, check_names=False, check_dtype=False, rtol=1e-6)


def test_the_breakdowns_and_the_trend_read_the_window_once(engine):
    """The analytics tab's two breakdowns and its daily trend are sums of one set of cells (day × department ×
    district): one read of the rollup (and one of each raw edge), where there were three."""
    from sqlalchemy import event

    from services.store import make_sessionmaker
    from services.store.cache import LocalQueryCache

    sessions = make_sessionmaker(engine, LocalQueryCache())
    with sessions() as session:
        install_catalog(session)
        events(session, NOW, n=120)
        session.commit()
    reads: list[str] = []
    listen = lambda *args: reads.append(args[2]) if "event_dispatches" in args[2] or "dispatch_rollup" in args[2] \
        else None  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    start = NOW.replace(minute=0, second=0, microsecond=0) - timedelta(days=7, minutes=-20)  # raw edges both sides
    try:
        with sessions() as session:
            for by in ("department", "district", "all"):
                dispatch_times(session=session, start=start, end=NOW, by=by, zone=ZONE)
            trend = dispatch_trend(session=session, start=start, end=NOW, zone=ZONE)
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert len(reads) == 3, reads  # the rollup's whole hours and the two edges
    assert trend["dispatches"].sum() > 0


def test_a_zone_off_the_hour_reads_raw_and_still_cuts_its_own_days(session):
    """India's +05:30: an hour's rollup cell would straddle two local days, so the trend reads the rows."""
    install_catalog(session)
    events(session, NOW, n=150)
    session.commit()
    india = ZoneInfo("Asia/Kolkata")
    day = datetime(2026, 11, 15, 18, 30, tzinfo=NOW.tzinfo)  # a local midnight there
    got = dispatch_trend(session=session, start=day, end=day + timedelta(days=7), zone=india)
    frame = _frame(session)
    want = _reference(frame, day, day + timedelta(days=7), frame["reported_at"].dt.tz_convert(india).dt.date)
    assert len(got) >= 5
    pd.testing.assert_frame_equal(got.set_index("day"), want, check_names=False, check_dtype=False, rtol=1e-6)
