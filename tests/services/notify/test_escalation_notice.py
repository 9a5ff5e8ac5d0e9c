"""An alert escalated by its timer reaches a person (real Redis, both databases): the department the pack routes it
to is notified through its contacts, and the notice and the audit trail name who is on duty for that department in
the alert's district, by the pack's roster."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import redis
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from services.alerts import audit_trail
from services.alerts.escalation import EscalationLoop
from services.config import Settings
from services.store import Delivery
from tests.services.alerts.data import add_districts, alert, persist
from tests.services.plans.data import demo_pack

PACK = demo_pack()


def test_the_escalated_department_is_notified_naming_who_is_on_duty(
        settings: Settings, engine: Engine, redis_client: redis.Redis) -> None:
    add_districts(engine)
    stored = persist(settings, engine, redis_client,
                     alert("EXT", severity="extreme", event="暴雨", category="met", district="350203",
                           headline="暴雨红色预警"))
    loop = EscalationLoop(settings, engine, redis_client, PACK.emergency, contacts=PACK.contacts, roster=PACK.roster)
    later = datetime.now(UTC) + timedelta(minutes=settings.alert_escalate_minutes + 1)
    assert loop.run_once(now=later) == [stored["EXT"].id]
    with Session(engine) as session:
        (delivery,) = session.scalars(select(Delivery)).all()
        assert (delivery.department, delivery.channel, delivery.reason, delivery.state) == (
            "urban_mgmt", "wecom", "escalation", "pending")
        assert delivery.subject.startswith("【预警升级】暴雨红色预警")
        assert "吴丽华" in delivery.body  # the district's own urban-management duty leader, not the city's
        escalation = next(row for row in audit_trail(session, stored["EXT"].id) if row.action == "escalate")
        assert escalation.comment is not None and "吴丽华" in escalation.comment


def test_without_contacts_nothing_is_queued(settings: Settings, engine: Engine, redis_client: redis.Redis) -> None:
    add_districts(engine)
    persist(settings, engine, redis_client, alert("SEV"))
    loop = EscalationLoop(settings, engine, redis_client, PACK.emergency)
    assert len(loop.run_once(now=datetime.now(UTC) + timedelta(minutes=settings.alert_escalate_minutes + 1))) == 1
    with Session(engine) as session:
        assert session.scalars(select(Delivery)).all() == []
