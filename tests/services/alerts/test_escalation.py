"""Escalation timers (real Redis, both databases): an urgent alert nobody acknowledged escalates to the owner the
rule names, audited as "system", and an update goes onto the stream that the persist worker takes in its stride."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from services import audit
from services.alerts import actions as alert_actions
from services.alerts.escalation import EscalationLoop, escalation_owner
from services.alerts.status import status_stream
from services.citypack import load_pack
from services.config import DEFAULT_PACK, Settings
from services.store import Alert
from tests.services.alerts.data import add_districts, alert, persist, stored

ROUTING = load_pack(DEFAULT_PACK).emergency
LANSHAN = load_pack(DEFAULT_PACK.parents[1] / "tests" / "citypacks" / "lanshan").emergency


@pytest.fixture
def alerts(settings: Settings, engine: Engine, redis_client: redis.Redis) -> dict[str, Alert]:
    add_districts(engine)
    return persist(settings, engine, redis_client,
                   alert("SEV"), alert("EXT", severity="extreme", event="火灾", category="fire"),
                   alert("ACK", event="内涝"), alert("MOD", severity="moderate", event="大风"),
                   alert("SIL", event="雷电"))  # fmt: skip


def test_the_owner_rule() -> None:
    assert escalation_owner("extreme", "350206", "fire", ROUTING) == "leader:duty-350206"
    assert escalation_owner("extreme", None, "fire", ROUTING) == "dept:fire"
    assert escalation_owner("severe", "350206", "transport", ROUTING) == "dept:traffic_police"
    assert escalation_owner("severe", None, "unknown-category", ROUTING) == "dept:urban_mgmt"


def test_the_department_is_the_packs() -> None:
    """Another city routes weather to its water bureau, and a category it has no row for to `other`'s department."""
    assert escalation_owner("severe", None, "met", LANSHAN) == "dept:water"
    assert escalation_owner("severe", None, "geo", LANSHAN) == "dept:urban_mgmt"
    assert escalation_owner("severe", None, "geo", ROUTING) == "dept:natural_resources"


def test_unacknowledged_urgent_alerts_escalate_once_and_screens_hear_of_it(
    settings: Settings, engine: Engine, redis_client: redis.Redis, alerts: dict[str, Alert]
) -> None:
    with Session(engine) as session:
        alert_actions.acknowledge(session, alerts["ACK"].id, user="op1")
        alert_actions.silence(session, alerts["SIL"].id, user="op1", until=datetime.now(UTC) + timedelta(hours=1))
        session.commit()
    loop = EscalationLoop(settings, engine, redis_client, ROUTING)
    before = redis_client.xlen(settings.alerts_stream)
    assert loop.run_once(now=datetime.now(UTC) + timedelta(minutes=1)) == []  # not yet: the timer is 5 minutes

    later = datetime.now(UTC) + timedelta(minutes=settings.alert_escalate_minutes + 1)
    assert sorted(loop.run_once(now=later)) == sorted([alerts["SEV"].id, alerts["EXT"].id])
    assert loop.run_once(now=later + timedelta(minutes=1)) == []  # escalated once
    now_stored = stored(engine)
    assert (now_stored["SEV"].status, now_stored["SEV"].owner) == ("escalated", "dept:urban_mgmt")
    assert (now_stored["EXT"].status, now_stored["EXT"].owner) == ("escalated", "leader:duty-350206")
    assert [now_stored[key].status for key in ("ACK", "MOD", "SIL")] == ["acknowledged", "new", "silenced"]
    with Session(engine) as session:
        last = alert_actions.audit_trail(session, alerts["SEV"].id)[-1]
    assert (last.action, last.user) == ("escalate", "system") and "5 min" in (last.comment or "")

    updates = [fields for _, fields in redis_client.xrange(settings.alerts_stream)][before:]
    assert sorted(fields["references"] for fields in updates) == ["EXT", "SEV"]
    signals = [fields for _, fields in redis_client.xrange(status_stream(settings.alerts_stream))]
    assert sorted((fields["id"], fields["status"]) for fields in signals) == [("EXT", "escalated"),
                                                                             ("SEV", "escalated")]
    assert {fields["msg_type"] for fields in updates} == {"update"}
    after = persist(settings, engine, redis_client)  # the worker takes the updates: status and owner stay
    assert (after["SEV"].status, after["SEV"].owner, after["SEV"].headline) == (
        "escalated", "dept:urban_mgmt", alerts["SEV"].headline)
    assert redis_client.xlen(settings.dead_letter_stream) == 0


def test_the_timer_escalates_a_storms_late_member_alone_and_audits_it_as_system(
    settings: Settings, engine: Engine, redis_client: redis.Redis
) -> None:
    """The head was acknowledged before the member arrived: the member's own timer runs out, the operator's
    acknowledged head stays theirs. The escalation goes through the operators' command, so it is audited alike."""
    add_districts(engine)
    head = persist(settings, engine, redis_client, alert("S1", event="积水"))["S1"]
    with Session(engine) as session:
        alert_actions.acknowledge(session, head.id, user="op1")
        session.commit()
    member = persist(settings, engine, redis_client, alert("S2", minutes=1, event="积水"))["S2"]
    assert member.group_id == head.group_id is not None

    later = datetime.now(UTC) + timedelta(minutes=settings.alert_escalate_minutes + 1)
    assert EscalationLoop(settings, engine, redis_client, ROUTING).run_once(now=later) == [member.id]
    now_stored = stored(engine)
    assert (now_stored["S1"].status, now_stored["S1"].owner) == ("acknowledged", "op1")
    assert now_stored["S2"].status == "escalated"
    with Session(engine) as session:
        (entry,) = audit.recent(session, actor="system")
    assert (entry.action, entry.target, entry.outcome) == ("alert.escalate", "S2", "ok")
