"""The /hotline page's figures, on SQLite and PostgreSQL: every aggregate the database returns equals a pandas
recomputation from the stored rows, within the filter and the caller's scope; the drill lists exactly the orders a
number counts."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from services.access import Scope
from services.hotline import (
    Drill,
    HotlineFilter,
    departments,
    hot_spots,
    order_page,
    order_rows,
    period_calls,
    summary,
    top_categories,
    topics,
    volume,
)
from services.store import WorkOrder
from tests.services.hotline.figures_data import (
    BURST,
    NOW,
    add_catalog,
    add_orders,
    expected_departments,
    expected_summary,
    frames,
    in_period,
)

WEEK = HotlineFilter(NOW - timedelta(days=7), NOW)


@pytest.fixture
def stored(session: Session) -> Session:
    add_catalog(session)
    add_orders(session, 400)
    session.commit()
    return session


def test_the_tiles_equal_a_pandas_recomputation(stored: Session) -> None:
    orders, _, calls = frames(stored)
    got = summary(session=stored, filters=WEEK, now=NOW)
    want = expected_summary(in_period(orders, WEEK.start, WEEK.end), NOW)
    assert got.orders == want["orders"] > 100
    assert got.overdue == want["overdue"] and got.repeats == want["repeats"]
    assert got.dissatisfied == want["dissatisfied"]
    for name in ("on_time_reply", "on_time_close", "satisfaction"):
        assert getattr(got, name) == pytest.approx(want[name]), name
    shown = period_calls(session=stored, filters=WEEK)
    week_calls = calls[(calls["started_at"] >= pd.Timestamp(WEEK.start)) & (calls["started_at"] < pd.Timestamp(NOW))]
    assert shown.calls == len(week_calls)
    assert shown.answer_rate == pytest.approx(week_calls["answered"].mean())
    assert shown.pickup_mean_s == pytest.approx(week_calls.loc[week_calls["answered"], "wait_s"].mean())


def test_volume_categories_and_hot_spots_equal_pandas_groupings(stored: Session) -> None:
    orders, _, _ = frames(stored)
    week = in_period(orders, WEEK.start, WEEK.end)
    by_hour = volume(session=stored, filters=WEEK)
    want = week.assign(hour=week["reported_at"].dt.floor("h")).groupby(["hour", "channel"]).size()
    assert by_hour.set_index(["hour", "channel"])["orders"].sort_index().to_dict() == want.sort_index().to_dict()

    top = top_categories(session=stored, filters=WEEK, top=3)
    counts = week["category"].value_counts()
    assert top["orders"].tolist() == counts.head(3).tolist()
    assert dict(zip(top["category"], top["orders"], strict=True)) == counts[top["category"]].to_dict()

    spots = hot_spots(session=stored, filters=WEEK)
    cells = week.groupby("grid").agg(orders=("id", "size"), repeats=("repeat_of", "count"))
    cells = cells[cells["repeats"] > 0]
    assert set(spots["grid"]) <= set(cells.index) and len(spots) == min(10, len(cells))
    for row in spots.itertuples():
        assert (row.orders, row.repeats) == tuple(cells.loc[row.grid, ["orders", "repeats"]])
    assert spots["repeats"].is_monotonic_decreasing


def test_departments_are_counted_as_pandas_does_and_ranked_worst_first(stored: Session) -> None:
    orders, dispatches, _ = frames(stored)
    got = departments(session=stored, filters=WEEK, now=NOW, min_orders=5).set_index("department")
    want = expected_departments(in_period(orders, WEEK.start, WEEK.end), dispatches, NOW)
    assert got[want.columns.tolist()].sort_index().to_dict() == want.to_dict()
    ranked = got[got["rank"].notna()].sort_values("rank")
    keys = list(zip(ranked["overdue_rate"], ranked["dissatisfied_rate"], strict=True))
    assert keys == sorted(keys, reverse=True) and ranked["rank"].tolist() == list(range(1, len(ranked) + 1))


def test_a_department_under_the_minimum_volume_is_listed_but_not_ranked(stored: Session) -> None:
    got = departments(session=stored, filters=WEEK, now=NOW, min_orders=10_000)
    assert len(got) == 4 and got["rank"].isna().all()


def test_filters_and_the_callers_scope_narrow_every_figure(stored: Session) -> None:
    orders, _, _ = frames(stored)
    week = in_period(orders, WEEK.start, WEEK.end)
    narrowed = HotlineFilter(WEEK.start, WEEK.end, category=("traffic",), channel=("phone",))
    want = week[(week["category"] == "traffic") & (week["channel"] == "phone")]
    assert summary(session=stored, filters=narrowed, now=NOW).orders == len(want) > 0
    siming = Scope.of(districts=["350203"])
    assert summary(session=stored, filters=WEEK, scope=siming, now=NOW).orders == \
        int((week["district"] == "350203").sum())
    assert set(hot_spots(session=stored, filters=WEEK, scope=siming)["district"]) <= {"350203"}


def test_the_bursting_term_is_a_hot_topic(stored: Session) -> None:
    ranked = [topic.term for topic in topics(session=stored, filters=WEEK, top=3)]
    assert BURST in ranked


def test_a_drill_lists_exactly_the_orders_its_number_counts(stored: Session) -> None:
    shown = summary(session=stored, filters=WEEK, now=NOW)
    overdue = order_page(session=stored, filters=WEEK, drill=Drill("overdue"), now=NOW, limit=1000)
    assert overdue.total == shown.overdue == len(overdue.rows)
    got = departments(session=stored, filters=WEEK, now=NOW).iloc[0]
    held = order_rows(session=stored, filters=WEEK, drill=Drill("department_overdue", got["department"]), now=NOW)
    assert len(held) == got["overdue"]
    page = order_page(session=stored, filters=WEEK, offset=0, limit=10, sort_by="reported_at", descending=False)
    assert page.total == shown.orders and page.rows["reported_at"].is_monotonic_increasing
    assert page.rows["reporter_phone"].str.len().eq(11).all()  # unmasked here: the page masks by role


def test_bad_filters_and_drills_are_refused_naming_the_field(stored: Session) -> None:
    with pytest.raises(ValueError, match="channel"):
        HotlineFilter(WEEK.start, WEEK.end, channel=("fax",))
    with pytest.raises(ValueError, match="end"):
        HotlineFilter(WEEK.end, WEEK.start)
    with pytest.raises(ValueError, match="drill"):
        Drill("nope")
    with pytest.raises(ValueError, match="sort_by"):
        order_page(session=stored, filters=WEEK, sort_by="reporter_phone")


def test_a_write_to_the_orders_is_seen_at_once(stored: Session) -> None:
    before = summary(session=stored, filters=WEEK, now=NOW).repeats
    order = stored.query(WorkOrder).filter(WorkOrder.repeat_of.is_(None)).order_by(WorkOrder.event_id.desc()).first()
    assert order is not None
    order.repeat_of = 1
    stored.commit()
    assert summary(session=stored, filters=WEEK, now=NOW).repeats == before + 1
