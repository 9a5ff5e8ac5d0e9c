"""Alert commands on both databases (alerts stored through the real stream and persist worker): each command writes
its change, one `alert_actions` row and exactly one audit-log entry naming the actor, in the caller's transaction;
a refused command writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import redis
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from services import audit
from services.access import Principal, Role, Scope
from services.alerts import ACTIONS, ActionRefused, AlertCommand, act, audit_trail
from services.alerts.actions import ACKNOWLEDGE, ESCALATE, LINK, RESOLVE, SILENCE
from services.config import Settings
from services.store import Alert, AlertAction, AuditEntry, Event
from tests.services.alerts.data import T0, add_districts, alert, persist

NOW = T0 + timedelta(minutes=1)
OPERATOR = Principal("op1", Role.OPERATOR)


@pytest.fixture
def alerts(settings: Settings, engine: Engine, redis_client: redis.Redis) -> dict[str, Alert]:
    add_districts(engine)
    return persist(settings, engine, redis_client, alert("A"), alert("B", district="350203", event="内涝"))


def _event(session: Session) -> int:
    event = Event(category="waterlogging", source="patrol", severity="moderate", status="reported",
                  district="350206", lat=24.5, lon=118.1, reported_at=NOW, sla_due_at=NOW + timedelta(hours=4))
    session.add(event)
    session.commit()
    return event.id


def _counts(session: Session) -> tuple[int, int]:
    return (session.scalar(select(func.count()).select_from(AuditEntry)) or 0,
            session.scalar(select(func.count()).select_from(AlertAction)) or 0)


@pytest.mark.parametrize("action", ACTIONS)
def test_each_command_writes_its_change_one_trail_row_and_one_audit_entry(session: Session,
                                                                          alerts: dict[str, Alert],
                                                                          action: str) -> None:
    event_id = _event(session)
    command = AlertCommand(action, comment=" 已通知 ", to="dept:fire", until=NOW + timedelta(hours=1),
                           event_id=event_id)
    audited, trail_rows = _counts(session)
    done = act(session, alerts["A"].id, command, actor=OPERATOR, now=NOW)
    session.commit()

    expected = {ACKNOWLEDGE: "acknowledged", ESCALATE: "escalated", RESOLVE: "resolved", SILENCE: "silenced",
                LINK: "new"}  # fmt: skip
    assert done.status == expected[action]
    assert _counts(session) == (audited + 1, trail_rows + 1)
    (entry,) = audit.recent(session, limit=1)
    assert (entry.actor, entry.role, entry.action, entry.target, entry.outcome, entry.detail, entry.at) == (
        "op1", "operator", f"alert.{action}", "A", "ok", "已通知", NOW)
    assert (audit_trail(session, done.id)[-1].action, audit_trail(session, done.id)[-1].user) == (action, "op1")


def test_the_change_and_its_records_belong_to_the_callers_transaction(engine: Engine,
                                                                      alerts: dict[str, Alert]) -> None:
    with Session(engine) as session:
        act(session, alerts["A"].id, AlertCommand(ACKNOWLEDGE), actor=OPERATOR, now=NOW)
        session.rollback()
        assert session.get(Alert, alerts["A"].id).status == "new"  # type: ignore[union-attr]
        assert _counts(session) == (0, 0)


def test_a_system_actor_acts_city_wide_and_is_audited_by_name(session: Session, alerts: dict[str, Alert]) -> None:
    act(session, alerts["B"].id, AlertCommand(ESCALATE, to="dept:fire", group=False), actor="system", now=NOW)
    session.commit()
    (entry,) = audit.recent(session, actor="system")
    assert (entry.role, entry.action, entry.target) == (None, "alert.escalate", "B")


@pytest.mark.parametrize(("alert_key", "command", "actor", "reason"), [
    ("A", AlertCommand(ESCALATE, to=" "), OPERATOR, "say whom to escalate to"),
    ("A", AlertCommand(SILENCE), OPERATOR, "until when"),
    ("A", AlertCommand(LINK), OPERATOR, "which event"),
    ("A", AlertCommand(LINK, event_id=999_999), OPERATOR, "event 999999 does not exist"),
    ("A", AlertCommand("close"), OPERATOR, "unknown action 'close'"),
    ("B", AlertCommand(RESOLVE), Principal("op2", Role.OPERATOR, Scope.of(["350206"])), "outside your area"),
])  # fmt: skip
def test_a_refused_command_writes_nothing(session: Session, alerts: dict[str, Alert], alert_key: str,
                                          command: AlertCommand, actor: Principal, reason: str) -> None:
    with pytest.raises(ActionRefused, match=reason):
        act(session, alerts[alert_key].id, command, actor=actor, now=NOW)
    session.commit()
    assert _counts(session) == (0, 0)
    assert session.get(Alert, alerts[alert_key].id).status == "new"  # type: ignore[union-attr]


def test_an_illegal_move_is_refused_after_the_first_and_writes_nothing_more(session: Session,
                                                                          alerts: dict[str, Alert]) -> None:
    act(session, alerts["A"].id, AlertCommand(RESOLVE), actor=OPERATOR, now=NOW)
    session.commit()
    with pytest.raises(ActionRefused, match="cannot acknowledge an alert that is resolved"):
        act(session, alerts["A"].id, AlertCommand(ACKNOWLEDGE), actor=OPERATOR, now=NOW)
    session.commit()
    assert _counts(session) == (1, 1)
