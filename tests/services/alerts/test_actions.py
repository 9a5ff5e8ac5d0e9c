"""Operator actions on stored alerts (real Redis, both databases): each one audited, illegal moves refused with a
reason, storms acted on as one, and a silenced alert still reporting its resolve."""

from __future__ import annotations

from datetime import timedelta

import pytest
import redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from services.access import Scope
from services.alerts import actions
from services.config import Settings
from services.store import Alert, Event
from tests.services.alerts.data import T0, add_districts, alert, persist

NOW = T0 + timedelta(minutes=1)


@pytest.fixture
def alerts(settings: Settings, engine: Engine, redis_client: redis.Redis) -> dict[str, Alert]:
    add_districts(engine)
    return persist(settings, engine, redis_client, alert("A"), alert("B", district="350203", event="内涝"),
                   alert("S1", event="积水"), alert("S2", minutes=2, event="积水"))


def trail(session: Session, alert_pk: int) -> list[tuple[str, str, str | None]]:
    return [(row.action, row.user, row.comment) for row in actions.audit_trail(session, alert_pk)]


def test_acknowledge_with_a_comment_is_audited_and_cannot_be_repeated(engine: Engine, alerts: dict[str, Alert]) -> None:
    with Session(engine) as session:
        done = actions.acknowledge(session, alerts["A"].id, user="op1", comment="已通知湖里区", now=NOW)
        session.commit()
        assert (done.status, done.owner, done.acknowledged_at) == ("acknowledged", "op1", NOW)
        assert trail(session, alerts["A"].id) == [("acknowledge", "op1", "已通知湖里区")]
        with pytest.raises(actions.ActionRefused, match="cannot acknowledge an alert that is acknowledged") as refused:
            actions.acknowledge(session, alerts["A"].id, user="op2")
        assert (refused.value.code, refused.value.params) == ("status", {"action": "acknowledge",
                                                                         "status": "acknowledged"})


def test_escalate_needs_a_target_who_becomes_the_owner(engine: Engine, alerts: dict[str, Alert]) -> None:
    with Session(engine) as session:
        with pytest.raises(actions.ActionRefused, match="whom"):
            actions.escalate(session, alerts["A"].id, user="op1", to=" ")
        done = actions.escalate(session, alerts["A"].id, user="op1", to="leader:wang", comment="需协调", now=NOW)
        session.commit()
        assert (done.status, done.owner, done.escalated_at) == ("escalated", "leader:wang", NOW)
        assert trail(session, alerts["A"].id) == [("escalate", "op1", "→ leader:wang: 需协调")]


def test_a_silenced_alert_still_reports_its_resolve_and_a_resolved_one_stays_resolved(
    engine: Engine, alerts: dict[str, Alert]
) -> None:
    with Session(engine) as session:
        with pytest.raises(actions.ActionRefused, match="future"):
            actions.silence(session, alerts["A"].id, user="op1", until=NOW - timedelta(minutes=1), now=NOW)
        silenced = actions.silence(session, alerts["A"].id, user="op1", until=NOW + timedelta(hours=1), now=NOW,
                                   comment="雨势减弱")
        assert (silenced.status, silenced.resume_status) == ("silenced", "new")
        resolved = actions.resolve(session, alerts["A"].id, user="op1", comment="雨停", now=NOW)
        session.commit()
        assert (resolved.status, resolved.silenced_until, resolved.resolved_at) == ("resolved", None, NOW)
        assert [row[0] for row in trail(session, alerts["A"].id)] == ["silence", "resolve"]
        until = (NOW + timedelta(hours=1)).isoformat(timespec="minutes")
        assert [row[2] for row in trail(session, alerts["A"].id)] == [f"→ {until}: 雨势减弱", "雨停"]  # no language
        for act in (actions.acknowledge, actions.resolve):
            with pytest.raises(actions.ActionRefused, match="resolved"):
                act(session, alerts["A"].id, user="op1")


def test_a_silence_ends_in_the_status_it_interrupted(engine: Engine, alerts: dict[str, Alert]) -> None:
    with Session(engine) as session:
        actions.acknowledge(session, alerts["A"].id, user="op1", now=NOW)
        actions.silence(session, alerts["A"].id, user="op1", until=NOW + timedelta(minutes=15), now=NOW)
        assert actions.unsilence_due(session, user="system", now=NOW + timedelta(minutes=10)) == []
        assert actions.unsilence_due(session, user="system", now=NOW + timedelta(minutes=16)) == [alerts["A"].id]
        session.commit()
        assert session.get(Alert, alerts["A"].id).status == "acknowledged"  # type: ignore[union-attr]
        assert trail(session, alerts["A"].id)[-1] == ("unsilence", "system", None)


def test_link_to_an_existing_event_only(engine: Engine, alerts: dict[str, Alert]) -> None:
    with Session(engine) as session:
        with pytest.raises(actions.ActionRefused, match="event 999 does not exist") as refused:
            actions.link_event(session, alerts["A"].id, user="op1", event_id=999)
        assert (refused.value.code, refused.value.params) == ("no_event", {"event": 999})
        event = Event(category="flood", source="patrol", severity="severe", reported_at=T0, status="reported")
        session.add(event)
        session.flush()
        assert actions.link_event(session, alerts["A"].id, user="op1", event_id=event.id).event_id == event.id
        session.commit()
        assert trail(session, alerts["A"].id) == [("link", "op1", f"→ #{event.id}")]


def test_acting_on_a_storm_acts_on_every_open_alert_of_it(engine: Engine, alerts: dict[str, Alert]) -> None:
    assert alerts["S1"].group_id == alerts["S2"].group_id is not None
    with Session(engine) as session:
        actions.acknowledge(session, alerts["S1"].id, user="op1", now=NOW)
        session.commit()
        assert session.get(Alert, alerts["S2"].id).status == "acknowledged"  # type: ignore[union-attr]
        assert session.get(Alert, alerts["A"].id).status == "new"  # type: ignore[union-attr]


def test_an_alert_outside_the_callers_area_cannot_be_touched(engine: Engine, alerts: dict[str, Alert]) -> None:
    siming = Scope.of(districts=["350203"])
    with Session(engine) as session:
        with pytest.raises(actions.ActionRefused, match="outside your area"):
            actions.resolve(session, alerts["A"].id, user="op-siming", scope=siming)
        assert actions.resolve(session, alerts["B"].id, user="op-siming", scope=siming).status == "resolved"
        assert actions.audit_trail(session, alerts["A"].id, scope=siming) == []
