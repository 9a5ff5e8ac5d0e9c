"""The hotline rollup on both backends: after intake, a whole life of moves, a reopening, a late 回访, a corrected
reported time and a deletion, the cells and pending rows the triggers kept equal a rebuild from the orders, and the
page's figures read through the rollup equal the same figures counted over the orders themselves."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from services.access import Scope
from services.geo import City
from services.hotline import (
    HotlineFilter,
    close_order,
    departments,
    dispatch_order,
    follow_up,
    hot_spots,
    redispatch_order,
    reply_order,
    return_order,
    summary,
    take_orders,
    top_categories,
    volume,
)
from services.hotline import rollup as hotline_rollup
from services.hotline.figures import raw_summary
from services.store import (
    Event,
    EventDispatch,
    HotlineDepartmentRollup,
    HotlineGridRollup,
    HotlinePending,
    HotlineRollup,
    WorkOrder,
    make_engine,
    make_sessionmaker,
    migrate,
)
from tests.services.hotline.figures_data import (
    NOW,
    add_catalog,
    add_orders,
    expected_departments,
    frames,
    in_period,
)
from tests.services.hotline.orders_data import CATEGORIES, LIMITS, OPERATOR, ROW, SECRET, TAKEN


def _kept(session: Session) -> list[list[tuple[object, ...]]]:
    """Every row of the rollup's tables, in key order (read as rows: the rebuild writes behind the ORM's back)."""
    tables = (HotlineRollup, HotlineDepartmentRollup, HotlineGridRollup, HotlinePending)
    return [[tuple(row) for row in session.execute(select(t.__table__).order_by(*t.__table__.primary_key.columns))]
            for t in tables]


def _assert_kept_equals_rebuilt(session: Session) -> None:
    session.flush()
    kept = _kept(session)
    hotline_rollup.rebuild(session.connection())
    assert _kept(session) == kept
    assert kept[0], "the rollup holds cells"


def _a_life(session: Session, city: City) -> None:
    """Intake of two orders, and a whole life of moves for the first, reopened by a late dissatisfied 回访."""
    second = {**ROW, "external_id": "12345-0002", "reported_at": "2026-12-01T09:50:00+08:00", "channel": "web"}
    report = take_orders(session, [ROW, second], source="hotline-12345", city=city, categories=CATEGORIES,
                         limits=LIMITS, secret_key=SECRET)
    assert report.refused == []
    first = session.scalars(select(WorkOrder.event_id).order_by(WorkOrder.event_id)).first()
    assert first is not None
    dispatch_order(session, first, ["water", "urban_mgmt"], principal=OPERATOR, now=TAKEN + timedelta(minutes=5))
    returned = session.scalars(select(EventDispatch.id).where(EventDispatch.event_id == first,
                                                              EventDispatch.department == "urban_mgmt")).one()
    return_order(session, returned, principal=OPERATOR, reason="不属于本部门职责", now=TAKEN + timedelta(minutes=20))
    redispatch_order(session, first, ["municipal"], principal=OPERATOR, now=TAKEN + timedelta(minutes=25))
    reply_order(session, first, "已抢修", principal=OPERATOR, now=TAKEN + timedelta(hours=2))
    close_order(session, first, principal=OPERATOR, now=TAKEN + timedelta(hours=3))
    follow_up(session, first, reached=True, satisfaction="dissatisfied", principal=OPERATOR,
              now=TAKEN + timedelta(days=2), limits=LIMITS)
    session.commit()


def test_the_triggers_keep_what_a_rebuild_computes_through_a_whole_life(store: Session, city: City) -> None:
    _a_life(store, city)
    _assert_kept_equals_rebuilt(store)
    reopened = store.scalars(select(Event).where(Event.status == "rework")).one()
    assert store.get(HotlinePending, reopened.id) is not None, "a reopened order is pending again"


def test_late_and_out_of_order_changes_land_in_their_hours(store: Session, city: City) -> None:
    _a_life(store, city)
    event = store.scalars(select(Event).join(WorkOrder, WorkOrder.event_id == Event.id)
                          .order_by(Event.id.desc())).first()
    assert event is not None
    event.reported_at -= timedelta(hours=30)  # a corrected reported time: leaves one hour, joins another
    store.commit()
    _assert_kept_equals_rebuilt(store)
    store.execute(text("UPDATE work_orders SET terms = 'x', repeat_of = event_id"))  # a hand-made UPDATE
    store.commit()
    _assert_kept_equals_rebuilt(store)
    store.delete(event)
    store.commit()
    _assert_kept_equals_rebuilt(store)


def test_rollup_figures_equal_the_orders_own_counts_for_any_hours(session: Session) -> None:
    add_catalog(session)
    add_orders(session, 400)
    session.commit()
    _assert_kept_equals_rebuilt(session)
    orders, dispatches, _ = frames(session)
    scopes = (Scope(), Scope.of(districts=["350203"]), Scope.of(departments=["water"]))
    filters = (HotlineFilter(NOW - timedelta(days=7), NOW),  # whole hours: the rollup alone
               HotlineFilter(NOW - timedelta(days=7, minutes=25), NOW - timedelta(minutes=10)),  # partial edges
               HotlineFilter(NOW - timedelta(minutes=50), NOW - timedelta(minutes=10)),  # within one hour
               HotlineFilter(NOW - timedelta(days=7, microseconds=-500), NOW),  # a fraction past the hour
               HotlineFilter(NOW - timedelta(days=9), NOW, district=("350206",), channel=("phone", "web")))
    for moment in (NOW, NOW - timedelta(days=2, minutes=7)):
        for scope in scopes:
            for view in filters:
                got = summary(session=session, filters=view, scope=scope, now=moment)
                assert got == raw_summary(session, view, scope, moment.replace(second=0, microsecond=0)), view
    for view in filters[:3]:
        period = in_period(orders, view.start, view.end)
        hours = period.assign(hour=period["reported_at"].dt.floor("h")).groupby(["hour", "channel"]).size()
        got = volume(session=session, filters=view).set_index(["hour", "channel"])["orders"]
        pd.testing.assert_series_equal(got, hours.rename("orders"), check_names=False, check_index_type=False)
        spots = hot_spots(session=session, filters=view, top=1000)
        gridded = period[period["grid"].notna()].assign(repeat=period["repeat_of"].notna())
        counted_spots = gridded.groupby("grid").agg(orders=("id", "size"), repeats=("repeat", "sum"))
        counted_spots = counted_spots[counted_spots["repeats"] > 0]
        assert spots.set_index("grid")[["orders", "repeats"]].sort_index().to_dict() == counted_spots.to_dict()
        top = top_categories(session=session, filters=view)
        counted = period.groupby("category").size()
        assert dict(zip(top["category"], top["orders"], strict=True)) == counted.to_dict()
        for moment in (NOW, NOW - timedelta(days=2, minutes=7)):
            want = expected_departments(period, dispatches, moment.replace(second=0, microsecond=0))
            for scope in (Scope(), Scope.of(departments=["water"])):
                got = departments(session=session, filters=view, scope=scope, now=moment).set_index("department")
                kept = want[want.index.isin(scope.departments or want.index)]
                assert got[want.columns.tolist()].sort_index().to_dict() == kept.to_dict(), (view, scope)


def test_the_migration_fills_the_rollup_from_the_orders_present(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate(engine, "0020")
        with make_sessionmaker(engine)() as session:
            add_catalog(session)
            add_orders(session, 60, calls=0)
            session.commit()
        migrate(engine)
        with make_sessionmaker(engine)() as session:
            assert session.scalar(select(func.sum(HotlineRollup.orders))) == 60
            _assert_kept_equals_rebuilt(session)
    finally:
        engine.dispose()
