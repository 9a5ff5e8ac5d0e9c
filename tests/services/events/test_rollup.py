"""The dispatch rollup kept by triggers equals a rebuild from the events and dispatches after every kind of write,
on SQLite and PostgreSQL: ORM inserts, late and out-of-order progress (arrivals, finishes, closing after the
limit), an event cancelled and reopened, moved in time or to another district, its limit changed, a dispatch moved
to another department or deleted, an event deleted with its dispatches, a bulk load inside `suspended`."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import Engine, delete, select, update

from services.events import rollup as dispatch_rollup
from services.store import (
    DISPATCH_ROLLUP_COUNTS,
    DISPATCH_ROLLUP_SUMS,
    DispatchRollup,
    Event,
    EventDispatch,
    bulkload,
    make_sessionmaker,
    rollups,
)
from tests.services.approvals.data import NOW, install_catalog
from tests.services.rankings.data import events
from tests.services.rollup_cells import nonempty_cells

MEASURES = [*DISPATCH_ROLLUP_COUNTS, *DISPATCH_ROLLUP_SUMS]


def _cells(engine: Engine) -> pd.DataFrame:
    return nonempty_cells(engine, DispatchRollup.__table__, MEASURES, dispatch_rollup.KEY)


def _assert_rebuild_equal(engine: Engine) -> None:
    kept = _cells(engine)
    with engine.begin() as conn:
        dispatch_rollup.rebuild(conn)
    pd.testing.assert_frame_equal(kept, _cells(engine), check_dtype=False, rtol=1e-9)


def test_triggers_keep_the_rollup_equal_to_a_rebuild(engine):
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        install_catalog(session)
        stored, _ = events(session, NOW, n=120)
    cells = _cells(engine)
    assert set(cells["level"]) == {0, 1, 2}
    _assert_rebuild_equal(engine)

    ids = [int(i) for i in stored["id"]]
    at = lambda hours: NOW - timedelta(hours=hours)  # noqa: E731
    with sessions() as session:
        first = session.scalars(select(EventDispatch).where(EventDispatch.arrived_at.is_(None))).first()
        assert first is not None
        first.arrived_at, first.finished_at = at(1), at(0.5)  # late progress, hours after its hour closed
        moved = session.scalars(select(EventDispatch).where(EventDispatch.id != first.id)).first()
        assert moved is not None
        moved.department, moved.dispatched_at = "d3", at(200)  # another department, out of order
        session.execute(update(Event).where(Event.id == ids[0]).values(status="cancelled"))
        session.execute(update(Event).where(Event.id == ids[1]).values(reported_at=at(30), district=None))
        session.execute(update(Event).where(Event.id == ids[2]).values(sla_due_at=at(100), closed_at=at(2),
                                                                        status="closed"))
        session.commit()
    _assert_rebuild_equal(engine)

    with sessions() as session:
        cancelled = session.scalars(select(Event.id).where(Event.status == "cancelled")).first()
        session.execute(update(Event).where(Event.id == cancelled).values(status="in_progress"))  # reopened
        session.execute(delete(EventDispatch).where(EventDispatch.event_id == ids[3]))
        session.commit()
    _assert_rebuild_equal(engine)

    with sessions() as session:
        session.execute(delete(EventDispatch).where(EventDispatch.event_id == ids[4]))
        session.execute(delete(Event).where(Event.id.in_([ids[4], ids[5]])))  # one still has dispatches: cascade
        session.commit()
    _assert_rebuild_equal(engine)


def test_a_bulk_load_inside_suspended_leaves_the_cells_a_rebuild_makes(engine):
    with make_sessionmaker(engine)() as session:
        install_catalog(session)
    reported = NOW - timedelta(hours=5)
    frame = pd.DataFrame({"id": [1, 2], "category": "c", "source": "test", "severity": "minor", "status": "closed",
                          "district": ["350203", None], "out_of_city": False, "reported_at": reported,
                          "sla_due_at": reported + timedelta(hours=1), "closed_at": reported + timedelta(hours=2)})
    dispatches = pd.DataFrame({"id": [1, 2], "event_id": [1, 2], "department": ["d1", "d2"],
                               "dispatched_at": reported + timedelta(minutes=5), "arrived_at": None,
                               "finished_at": reported + timedelta(minutes=90), "status": "finished"})
    with rollups.suspended(engine, dispatch_rollup.ROLLUP):
        bulkload.bulk_insert(engine, Event, list(frame.columns), frame)
        bulkload.bulk_insert(engine, EventDispatch, list(dispatches.columns), dispatches)
    cells = _cells(engine)
    assert cells.loc[cells["level"] == 0, "dispatches"].sum() == 2
    assert cells.loc[cells["level"] == 1, "cases_late"].sum() == 2
    assert cells.loc[cells["level"] == 2, "cases_late"].sum() == 2
    _assert_rebuild_equal(engine)
    with engine.begin() as conn:  # the triggers are back
        conn.execute(update(EventDispatch).where(EventDispatch.id == 1).values(arrived_at=reported))
    assert _cells(engine)["arrived"].sum() == 1
    _assert_rebuild_equal(engine)


@pytest.mark.parametrize(("start", "end", "lo", "hi"), [
    (datetime(2026, 11, 1, 3), datetime(2026, 11, 8, 3), datetime(2026, 11, 1, 3), datetime(2026, 11, 8, 3)),
    (datetime(2026, 11, 1, 3, 20), datetime(2026, 11, 8, 3, 5), datetime(2026, 11, 1, 4), datetime(2026, 11, 8, 3)),
])
def test_aligned_keeps_the_whole_hours(start, end, lo, hi):
    assert dispatch_rollup.aligned(start, end) == (lo, hi)
