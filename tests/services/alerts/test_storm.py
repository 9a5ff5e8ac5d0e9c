"""Storm grouping: the pure folder the wall uses, and the groups the persist worker stores (real Redis, both
databases)."""

from __future__ import annotations

from datetime import timedelta

import redis
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from services.alerts.storm import StormFolder, assign_groups, storm_key
from services.config import Settings
from services.store import AlertGroup
from tests.services.alerts.data import T0, add_districts, alert, persist


def test_the_same_event_district_and_severity_within_the_window_fold_into_one_row() -> None:
    folder = StormFolder(window=timedelta(minutes=10))
    outcomes = [folder.add(f"{n}-0", fields)[1] for n, fields in enumerate([
        alert("a"), alert("b", minutes=4), alert("c", minutes=9),   # one storm (each within 10 min of the last)
        alert("d", minutes=5, severity="extreme"),                 # a change of severity is never hidden
        alert("e", minutes=5, district="350203"),                  # another district
        alert("f", minutes=30),                                    # after the window
        alert("g", minutes=31, msg_type="update", references="a"),  # updates are never folded
    ])]  # fmt: skip
    assert outcomes == [True, False, False, True, True, True, True]
    counts = {row.head_id: row.count for row in folder.rows}
    assert counts == {"0-0": 3, "3-0": 1, "4-0": 1, "5-0": 1, "6-0": 1}
    assert [row.head_id for row in folder.rows] == ["6-0", "5-0", "4-0", "3-0", "0-0"]  # newest row first
    assert storm_key(alert("x")) == "台风|350206|severe"


def test_the_worker_stores_groups_with_counts_once_however_often_it_runs(
    settings: Settings, engine: Engine, redis_client: redis.Redis
) -> None:
    add_districts(engine)
    alerts = persist(settings, engine, redis_client, alert("s1"), alert("s2", minutes=3), alert("s3", minutes=6),
                     alert("o1", minutes=2, district="350203"), alert("late", minutes=40))
    group_of = {alert_id: row.group_id for alert_id, row in alerts.items()}
    assert group_of["s1"] == group_of["s2"] == group_of["s3"]
    assert len({group_of["s1"], group_of["o1"], group_of["late"]}) == 3
    with Session(engine) as session:
        counts = {group.head_alert_id: group.count for group in session.scalars(select(AlertGroup))}
    assert counts == {alerts["s1"].id: 3, alerts["o1"].id: 1, alerts["late"].id: 1}

    # redelivered alerts next to a new one of the same storm: only the new one counts
    alerts = persist(settings, engine, redis_client, alert("s2", minutes=3), alert("s1"), alert("s4", minutes=8))
    with Session(engine) as session:
        assert session.get(AlertGroup, group_of["s1"]).count == 4  # type: ignore[union-attr]
    assert alerts["s4"].group_id == group_of["s1"]
    assert {row.group_id for row in alerts.values()} == set(group_of.values())


def test_a_group_opened_for_alerts_that_were_all_stored_already_is_removed(engine: Engine) -> None:
    add_districts(engine)
    fields = {"source": "test", "alert_id": "r1", "event": "台风", "district": "350206", "severity": "severe", "sent_at": T0}
    with engine.begin() as connection:
        batch = assign_groups(connection, [fields, {**fields, "alert_id": "r2", "sent_at": T0 + timedelta(minutes=2)}])
        assert batch.group_of["test", "r1"] == batch.group_of["test", "r2"]
        assert batch.count(connection, {}) == 0  # the insert stored none of them (both were redelivered)
    with Session(engine) as session:
        assert session.scalars(select(AlertGroup)).all() == []
