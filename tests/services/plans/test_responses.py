"""From alert to response, on both databases with the real persist worker: activating a plan opens one incident
dispatched to every department of the plan with its task and deadline, links the alert and queues the notices;
the level moves (audited), the checklist is ticked with times, the response stands down with a summary; a CAP
Update rewrites the incident and a Cancel proposes standing down, never a second incident."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import redis
from sqlalchemy import Engine, func, select

from services import audit
from services.config import Settings
from services.plans import (
    Notices,
    ResponseRefused,
    activate,
    change_level,
    notify_overdue,
    response_for_alert,
    stand_down,
    tick,
)
from services.store import Alert, Delivery, Event, EventDispatch, EventTransition, Response
from tests.services.alerts.data import persist
from tests.services.plans.data import (
    ELSEWHERE,
    OPERATOR,
    demo_pack,
    flood_alert,
    session_of,
    stored_flood_alert,
)

NOW = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # 09:00 in the city
PACK = demo_pack()
FLOOD = PACK.plan("flood")
NOTICES = Notices(PACK.contacts, PACK.roster, ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def alert_pk(settings: Settings, engine: Engine, redis_client: redis.Redis) -> int:
    return stored_flood_alert(settings, engine, redis_client, PACK)


def _activate(engine: Engine, alert_pk: int) -> int:
    assert FLOOD is not None
    with session_of(engine) as session:
        response = activate(session, alert_pk, FLOOD, principal=OPERATOR, notices=NOTICES, now=NOW)
        session.commit()
        return response.id


def test_activation_opens_one_incident_dispatched_to_every_department(engine: Engine, alert_pk: int) -> None:
    assert FLOOD is not None
    response_id = _activate(engine, alert_pk)
    with session_of(engine) as session:
        response = session.get(Response, response_id)
        assert response is not None and (response.plan, response.level, response.status) == ("flood", "III", "active")
        event = session.get(Event, response.event_id)
        assert event is not None
        assert (event.category, event.status, event.district, event.source) == ("waterlogging", "dispatched",
                                                                               "350203", "plan")
        dispatched = set(session.scalars(select(EventDispatch.department).where(EventDispatch.event_id == event.id)))
        assert dispatched == {task.department for task in FLOOD.tasks}
        alert = session.get(Alert, alert_pk)
        assert alert is not None and (alert.event_id, alert.status) == (event.id, "acknowledged")
        assert [t.to_status for t in session.scalars(select(EventTransition).where(
            EventTransition.event_id == event.id).order_by(EventTransition.id))] == ["registered", "dispatched"]
        view = response_for_alert(session, alert_pk)
        assert view is not None and [t.department for t in view.tasks][0] == "water"
        water = view.tasks[0]
        assert (water.role, water.status, water.due_at) == ("lead", "dispatched", NOW + timedelta(minutes=30))
        assert len(view.checks) == len(FLOOD.checklist) and all(c.checked_at is None for c in view.checks)
        deliveries = session.scalars(select(Delivery).order_by(Delivery.id)).all()
        assert {(d.department, d.channel, d.reason, d.state) for d in deliveries} == {
            ("water", "dingtalk", "dispatch", "pending"), ("urban_mgmt", "wecom", "dispatch", "pending"),
            ("traffic_police", "webhook", "dispatch", "pending"), ("emergency", "wecom", "dispatch", "pending"),
            ("emergency", "email", "dispatch", "pending")}
        water_notice = next(d for d in deliveries if d.department == "water")
        assert "III" in water_notice.body and "09:30" in water_notice.body and FLOOD.tasks[0].task_zh in water_notice.body
        assert all("http" not in d.target for d in deliveries)  # the webhook URLs (with their keys) never stored
        (entry,) = audit.recent(session, action="response.activate")
        assert entry.actor == "op1" and entry.target == f"response:{response_id}"


def test_never_a_second_incident_for_the_same_alert(engine: Engine, alert_pk: int) -> None:
    assert FLOOD is not None
    response_id = _activate(engine, alert_pk)
    with session_of(engine) as session:
        with pytest.raises(ResponseRefused) as refused:
            activate(session, alert_pk, FLOOD, principal=OPERATOR, now=NOW)
        assert (refused.value.code, refused.value.params) == ("already", {"response": response_id})
        assert session.scalar(select(func.count()).select_from(Event)) == 1


def test_an_alert_outside_the_callers_area_is_not_found(engine: Engine, alert_pk: int) -> None:
    assert FLOOD is not None
    with session_of(engine) as session:
        with pytest.raises(ResponseRefused) as refused:
            activate(session, alert_pk, FLOOD, principal=ELSEWHERE, now=NOW)
        assert refused.value.code == "not_found"
        assert session.scalar(select(func.count()).select_from(Event)) == 0


def test_level_checklist_and_stand_down(engine: Engine, alert_pk: int) -> None:
    assert FLOOD is not None
    response_id = _activate(engine, alert_pk)
    later = NOW + timedelta(minutes=20)
    with session_of(engine) as session:
        change_level(session, response_id, "II", principal=OPERATOR, plan=FLOOD, comment="雨势加大",
                     notices=NOTICES, now=later)
        with pytest.raises(ResponseRefused):
            change_level(session, response_id, "II", principal=OPERATOR, plan=FLOOD, now=later)
        tick(session, response_id, "c1", principal=OPERATOR, now=later)
        with pytest.raises(ResponseRefused):
            stand_down(session, response_id, principal=OPERATOR, summary="  ", now=later)
        stand_down(session, response_id, principal=OPERATOR, summary="积水已排除，交通恢复", now=later)
        session.commit()
        (level,) = audit.recent(session, action="response.level")
        assert level.detail == "III → II: 雨势加大"
        escalations = session.scalars(select(Delivery).where(Delivery.reason == "escalation")).all()
        assert len(escalations) == 5
        emergency = next(d for d in escalations if d.department == "emergency" and d.channel == "email")
        assert "陈建国" in emergency.body  # 09:20 local: the day duty leader is named
        view = response_for_alert(session, alert_pk)
        assert view is not None and (view.level, view.status, view.summary) == ("II", "closed", "积水已排除，交通恢复")
        assert view.checks[0].checked_at == later and view.checks[0].checked_by == "op1"
        assert session.get(Alert, alert_pk).status == "resolved"  # type: ignore[union-attr]
        with pytest.raises(ResponseRefused) as refused:
            tick(session, response_id, "c2", principal=OPERATOR, now=later)
        assert refused.value.code == "closed"


def test_a_cap_update_rewrites_the_incident_and_a_cancel_proposes_standing_down(
        settings: Settings, engine: Engine, redis_client: redis.Redis, alert_pk: int) -> None:
    response_id = _activate(engine, alert_pk)
    persist(settings, engine, redis_client, flood_alert("RAIN-2", msg_type="update", references="RAIN-1",
                                                        severity="extreme", headline="暴雨红色预警：内涝加剧"))
    with session_of(engine) as session:
        response = session.get(Response, response_id)
        assert response is not None and response.updated_at is not None and response.cancel_proposed_at is None
        event = session.get(Event, response.event_id)
        assert event is not None and (event.title, event.severity) == ("暴雨红色预警：内涝加剧", "extreme")
    persist(settings, engine, redis_client, flood_alert("RAIN-3", msg_type="cancel", references="RAIN-1"))
    with session_of(engine) as session:
        assert session.scalar(select(func.count()).select_from(Event)) == 1
        assert session.scalar(select(func.count()).select_from(Response)) == 1
        view = response_for_alert(session, alert_pk)
        assert view is not None and view.cancel_proposed and view.status == "active"


def test_a_missed_deadline_reminds_its_department_once(engine: Engine, alert_pk: int) -> None:
    _activate(engine, alert_pk)
    plans = {plan.code: plan for plan in PACK.plans}
    with session_of(engine) as session:
        assert notify_overdue(session, NOTICES, plans, now=NOW + timedelta(minutes=29)) == 0
        assert notify_overdue(session, NOTICES, plans, now=NOW + timedelta(minutes=31)) == 2  # water, traffic police
        assert notify_overdue(session, NOTICES, plans, now=NOW + timedelta(minutes=40)) == 0  # once each
        session.commit()
        reminders = session.scalars(select(Delivery).where(Delivery.reason == "deadline")).all()
        assert {(d.department, d.channel) for d in reminders} == {("water", "dingtalk"),
                                                                  ("traffic_police", "webhook")}
        assert all("超时" in d.body and "09:30" in d.body for d in reminders)
