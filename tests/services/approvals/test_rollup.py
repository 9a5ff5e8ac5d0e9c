"""The rollup (and the open work) kept by triggers equals a rebuild from the applications after every kind of write,
on SQLite and PostgreSQL: a bulk load (COPY / executemany), ORM inserts, state changes (accepted, completed, rated, returned,
moved to another matter or district), deletes; and a bulk load inside `suspended` leaves the same cells."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
from sqlalchemy import Engine, delete, func, select, text, update

from services.approvals import rollup as approval_rollup
from services.store import (
    ROLLUP_COMPLETED,
    ROLLUP_RECEIVED,
    Application,
    ApprovalOpenWork,
    ApprovalRollup,
    bulkload,
    make_sessionmaker,
    rollups,
)
from tests.services.approvals.data import NOW, applications, install_catalog
from tests.services.rollup_cells import nonempty_cells

MEASURES = [*ROLLUP_RECEIVED, *ROLLUP_COMPLETED]


def _cells(engine: Engine) -> pd.DataFrame:
    return nonempty_cells(engine, ApprovalRollup.__table__, MEASURES, approval_rollup.KEY)


def _open_work(engine: Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(select(ApprovalOpenWork.__table__).order_by(ApprovalOpenWork.id)).all())


def _rebuilt(engine: Engine) -> pd.DataFrame:
    with engine.begin() as conn:
        approval_rollup.rebuild(conn)
    return _cells(engine)


def test_triggers_keep_the_rollup_equal_to_a_rebuild(engine):
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        install_catalog(session)
    frame = applications(n=300)
    bulkload.bulk_insert(engine, Application, list(frame.columns), frame)
    after_load = _cells(engine)
    assert after_load["received"].sum() == len(frame) * 4  # one count per level
    assert after_load["completed"].sum() == frame["completed_at"].notna().sum() * 4

    with sessions() as session:
        session.add(Application(matter_code="P1", applicant_kind="citizen", channel="window", district="350203",
                                submitted_at=NOW - timedelta(hours=30), status="submitted", visits=1))
        session.commit()
        open_ = session.scalars(select(Application).where(Application.completed_at.is_(None))
                                .order_by(Application.id).limit(30)).all()
        for i, app in enumerate(open_):
            app.accepted_at = app.accepted_at or app.submitted_at + timedelta(minutes=20)
            if i % 2:
                app.status, app.completed_at, app.rating = "approved", NOW - timedelta(minutes=i), 1 + i % 5
            else:
                app.status, app.return_reason, app.visits = "returned", "材料不齐全", 2
        session.commit()
        session.execute(update(Application).where(Application.id % 7 == 0).values(matter_code="P3",
                                                                                 district="350206"))
        session.execute(update(Application).where(Application.id % 11 == 0).values(status="in_review"))
        # a correction of the applicant's kind alone moves its counts between the kinds (the divide lens)
        session.execute(update(Application).where(Application.id % 5 == 0).values(applicant_kind="enterprise"))
        session.execute(delete(Application).where(Application.id % 13 == 0))
        session.commit()

    kept, open_work = _cells(engine), _open_work(engine)
    assert not kept.empty and 0 < len(open_work) < len(frame)
    with engine.connect() as conn:
        enterprise = conn.scalar(select(func.count()).where(Application.applicant_kind == "enterprise"))
    assert kept["enterprise_received"].sum() == enterprise * 4 > 0
    pd.testing.assert_frame_equal(kept, _rebuilt(engine))
    pd.testing.assert_frame_equal(open_work, _open_work(engine))


def test_a_bulk_load_while_suspended_rebuilds_once(engine):
    with make_sessionmaker(engine)() as session:
        install_catalog(session)
    frame = applications(n=200)
    with rollups.suspended(engine, approval_rollup.ROLLUP):
        bulkload.bulk_insert(engine, Application, list(frame.columns), frame)
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM approval_rollup")) == 0
    loaded = _cells(engine)
    assert loaded["received"].sum() == len(frame) * 4
    extra = applications(n=20, seed=9)
    bulkload.bulk_insert(engine, Application, list(extra.columns), extra)  # the triggers are back
    assert _cells(engine)["received"].sum() == (len(frame) + len(extra)) * 4
    pd.testing.assert_frame_equal(_cells(engine), _rebuilt(engine))
