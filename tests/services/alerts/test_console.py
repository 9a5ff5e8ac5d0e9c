"""The console's list (real Redis, both databases): filters, search, paging and scope in SQL, storms as one row."""

from __future__ import annotations

from datetime import timedelta

import pytest
import redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from services.access import Scope
from services.alerts import actions as alert_actions
from services.alerts.console import AlertFilter, find, list_alerts, matches, newest
from services.config import Settings
from services.store import Alert
from tests.services.alerts.data import T0, add_districts, alert, persist


@pytest.fixture
def alerts(settings: Settings, engine: Engine, redis_client: redis.Redis) -> dict[str, Alert]:
    add_districts(engine)
    return persist(settings, engine, redis_client,
                   alert("W1", event="暴雨"), alert("W2", minutes=1, event="暴雨"), alert("W3", minutes=2, event="暴雨"),
                   alert("F1", minutes=3, category="fire", event="火灾", severity="extreme",
                         headline="思明区厂房火灾", district="350203"),
                   alert("T1", minutes=4, category="transport", event="拥堵", severity="minor", district=""),
                   alert("L1", minutes=60, event="暴雨", description="鼓浪屿 积水"))  # fmt: skip


def ids(session: Session, flt: AlertFilter | None = None, **kwargs: object) -> list[str]:
    return [row.alert_id for row in list_alerts(session, flt or AlertFilter(), **kwargs).rows]  # type: ignore[arg-type]


def test_newest_first_and_a_storm_is_one_row_with_its_count(engine: Engine, alerts: dict[str, Alert]) -> None:
    with Session(engine) as session:
        page = list_alerts(session)
        assert [row.alert_id for row in page.rows] == ["L1", "T1", "F1", "W1"]
        assert {row.alert_id: row.count for row in page.rows} == {"L1": 1, "T1": 1, "F1": 1, "W1": 3}
        assert page.total == 4 and page.pages == 1


def test_each_filter_and_the_search(engine: Engine, alerts: dict[str, Alert]) -> None:
    with Session(engine) as session:
        assert ids(session, AlertFilter(severity="extreme")) == ["F1"]
        assert ids(session, AlertFilter(category="transport")) == ["T1"]
        assert ids(session, AlertFilter(district="350206")) == ["L1", "W1"]
        assert ids(session, AlertFilter(text="厂房")) == ["F1"]
        assert ids(session, AlertFilter(text="鼓浪屿")) == ["L1"]  # the description too
        assert ids(session, AlertFilter(since=T0 + timedelta(minutes=3), until=T0 + timedelta(minutes=5))) == [
            "T1", "F1"]
        alert_actions.acknowledge(session, alerts["F1"].id, user="op1")
        session.commit()
        assert ids(session, AlertFilter(status="acknowledged")) == ["F1"]
        assert ids(session, AlertFilter(status="new", severity="severe")) == ["L1", "W1"]


def test_paging_is_clamped(engine: Engine, alerts: dict[str, Alert]) -> None:
    with Session(engine) as session:
        assert ids(session, page=2, page_size=3) == ["W1"]
        last = list_alerts(session, page=9, page_size=3)
        assert (last.page, last.pages, last.total) == (2, 2, 4)


def test_the_newest_rows_are_the_lists_first_without_a_count(engine: Engine, alerts: dict[str, Alert]) -> None:
    with Session(engine) as session:
        assert [row.alert_id for row in newest(session, limit=2)] == ["L1", "T1"]
        assert newest(session, limit=3) == list(list_alerts(session, page_size=3).rows)
        assert [row.alert_id for row in newest(session, AlertFilter(severity="severe"), limit=5,
                                               scope=Scope.of(districts=["350206"]))] == ["L1", "W1"]


def test_the_scope_limits_rows_counts_and_lookups(engine: Engine, alerts: dict[str, Alert]) -> None:
    siming = Scope.of(districts=["350203"])
    with Session(engine) as session:
        assert ids(session, scope=siming) == ["F1"]
        assert list_alerts(session, scope=siming).total == 1
        assert find(session, alerts["W1"].stream_id, scope=siming) is None
        assert find(session, alerts["F1"].stream_id, scope=siming).alert_id == "F1"  # type: ignore[union-attr]


def test_a_bad_filter_value_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match="severity: 'red' is not one of"):
        AlertFilter(severity="red")


def test_matches_decides_whether_a_pushed_entry_belongs_in_the_list() -> None:
    fields = alert("N1", category="fire", severity="extreme", headline="湖里区火灾")
    assert matches(fields, AlertFilter())
    assert matches(fields, AlertFilter(severity="extreme", text="火灾"))
    assert not matches(fields, AlertFilter(severity="minor"))
    assert not matches(fields, AlertFilter(status="resolved"))
    assert not matches(fields, AlertFilter(), Scope.of(districts=["350203"]))
    assert not matches({**fields, "msg_type": "update", "references": "x"}, AlertFilter())
