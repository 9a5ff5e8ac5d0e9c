"""督办 on both backends: a leader supervises an overdue work order, the department's reply answers it, an
unanswered one is escalated by the worker, a leader clears it; every refusal writes nothing; every step audited."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from components.i18n import translator
from services import audit
from services.access import Principal, Role, Scope
from services.hotline import dispatch_order, order_detail
from services.store import AuditEntry, Delivery, Supervision
from services.supervision import (
    EscalationJob,
    SupervisionRefused,
    WaitingCounts,
    clear_supervision,
    escalate_overdue,
    open_supervisions,
    reply_supervision,
    supervise,
    supervisions_for,
    waiting_counts,
)
from services.supervision.refusals import REASONS
from tests.services.hotline.orders_data import OPERATOR, TAKEN
from tests.services.plans.data import demo_pack

LEADER = Principal("leader1", Role.LEADER)
PACK = demo_pack()
WATER = Principal("water1", Role.OPERATOR, Scope.of(departments=["water"]))
OVERDUE = TAKEN + timedelta(days=8)  # the ordinary order's five working days are up


def _supervise(store: Session, order: int, hours: float = 24) -> int:
    dispatch_order(store, order, ["water"], principal=OPERATOR, now=TAKEN)
    return supervise(store, subject="event", subject_id=order, department="water", instruction="请今日内恢复供水并回复",
                     deadline=OVERDUE + timedelta(hours=hours), principal=LEADER, now=OVERDUE)


def test_an_overdue_order_is_supervised_and_the_departments_reply_answers_it(store, order):
    assert order_detail(store, order, principal=OPERATOR, now=OVERDUE).reply_card == "red"
    supervision = _supervise(store, order)
    store.commit()
    [waiting] = open_supervisions(store, department="water")
    assert (waiting.id, waiting.subject, waiting.subject_id, waiting.status) == (supervision, "event", str(order),
                                                                               "open")
    assert order_detail(store, order, principal=OPERATOR).supervisions[0].instruction == "请今日内恢复供水并回复"
    reply_supervision(store, supervision, "已组织抢修，18时前恢复", principal=WATER, now=OVERDUE + timedelta(hours=2))
    store.commit()
    assert open_supervisions(store) == []
    [answered] = supervisions_for(store, "event", [order])[str(order)]
    assert (answered.status, answered.reply, answered.replied_by) == ("replied", "已组织抢修，18时前恢复", "water1")
    assert escalate_overdue(store, OVERDUE + timedelta(days=3)) == []  # answered: never escalated
    clear_supervision(store, supervision, principal=LEADER, comment="已恢复", now=OVERDUE + timedelta(days=1))
    store.commit()
    assert store.get(Supervision, supervision).status == "cleared"
    actions = [entry.action for entry in reversed(audit.recent(store)) if entry.action.startswith("supervision")]
    assert actions == ["supervision.create", "supervision.reply", "supervision.clear"]


def test_an_unanswered_supervision_is_escalated_once_its_deadline_passes(store, order):
    supervision = _supervise(store, order, hours=4)
    store.commit()
    assert escalate_overdue(store, OVERDUE + timedelta(hours=3)) == []
    assert escalate_overdue(store, OVERDUE + timedelta(hours=5)) == [supervision]
    store.commit()
    assert escalate_overdue(store, OVERDUE + timedelta(hours=6)) == []  # once
    [escalated] = open_supervisions(store)
    assert (escalated.status, escalated.escalated_at, escalated.waiting) == ("escalated",
                                                                             OVERDUE + timedelta(hours=5), True)
    assert audit.recent(store, action="supervision.escalate")[0].actor == "supervision-worker"
    reply_supervision(store, supervision, "已处理", principal=WATER, now=OVERDUE + timedelta(hours=7))
    assert store.get(Supervision, supervision).status == "replied"


def test_the_worker_escalates_and_commits(store, order, engine):
    supervision = _supervise(store, order, hours=1)
    store.commit()
    job = EscalationJob(sessionmaker(engine))
    assert job.run_once(OVERDUE + timedelta(hours=2)) == [supervision]
    store.expire_all()
    assert store.get(Supervision, supervision).status == "escalated"


def test_an_escalation_notifies_the_department_through_its_contacts(store, order):
    """With the pack's contacts the department hears of it (the outbox delivers; tests/services/notify)."""
    supervision = _supervise(store, order, hours=1)
    store.commit()
    zone = ZoneInfo("Asia/Shanghai")
    assert escalate_overdue(store, OVERDUE + timedelta(hours=2), contacts=PACK.contacts, zone=zone) == [supervision]
    (delivery,) = store.scalars(select(Delivery)).all()
    deadline = (OVERDUE + timedelta(hours=1)).astimezone(zone).strftime("%Y-%m-%d %H:%M")
    assert (delivery.department, delivery.channel, delivery.reason, delivery.state) == (
        "water", "dingtalk", "supervision", "pending")
    assert delivery.subject.startswith("【督办超期】") and deadline in delivery.body
    assert f"/events?event={order}" in delivery.body and "请今日内恢复供水并回复" in delivery.body


def test_without_contacts_an_escalation_queues_nothing(store, order):
    _supervise(store, order, hours=1)
    assert len(escalate_overdue(store, OVERDUE + timedelta(hours=2))) == 1
    assert store.scalars(select(Delivery)).all() == []


@pytest.mark.parametrize(("kwargs", "principal", "code"), [
    ({}, Principal("an1", Role.ANALYST), "role"),
    ({}, Principal("op9", Role.OPERATOR, Scope.of(districts=["350206"])), "no_subject"),
    ({"subject": "permit"}, LEADER, "unknown_subject"),
    ({"subject_id": "999999"}, LEADER, "no_subject"),
    ({"subject": "application", "subject_id": "1"}, LEADER, "no_subject"),
    ({"subject": "alert", "subject_id": "1-0"}, LEADER, "no_subject"),
    ({"department": "ghosts"}, LEADER, "unknown_department"),
    ({"instruction": "  "}, LEADER, "empty_instruction"),
    ({"deadline": OVERDUE - timedelta(minutes=1)}, LEADER, "deadline_passed"),
])  # fmt: skip
def test_a_supervision_is_refused_by_code_and_nothing_is_written(store, order, kwargs, principal, code):
    asked = {"subject": "event", "subject_id": order, "department": "water", "instruction": "请回复",
             "deadline": OVERDUE + timedelta(days=1)} | kwargs
    with pytest.raises(SupervisionRefused) as refused:
        supervise(store, **asked, principal=principal, now=OVERDUE)
    assert refused.value.code == code
    assert store.scalar(select(func.count()).select_from(Supervision)) == 0
    assert store.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("supervision%"))) == 0
    assert translator("en")[refused.value.key]


def test_only_the_department_answers_and_only_once(store, order):
    supervision = _supervise(store, order)
    store.commit()
    with pytest.raises(SupervisionRefused, match="no supervision"):
        reply_supervision(store, supervision, "不是我们的", principal=Principal("p", Role.OPERATOR,
                                                                               Scope.of(departments=["police"])))
    with pytest.raises(SupervisionRefused, match="may not supervise"):
        reply_supervision(store, supervision, "看看", principal=Principal("an1", Role.ANALYST))
    with pytest.raises(SupervisionRefused, match="empty"):
        reply_supervision(store, supervision, " ", principal=WATER)
    reply_supervision(store, supervision, "已处理", principal=WATER)
    with pytest.raises(SupervisionRefused) as twice:
        reply_supervision(store, supervision, "再说一次", principal=WATER)
    assert twice.value.code == "not_open"
    with pytest.raises(SupervisionRefused, match="your own department"):
        clear_supervision(store, supervision, principal=WATER)
    with pytest.raises(SupervisionRefused, match="may not supervise"):
        clear_supervision(store, supervision, principal=Principal("an1", Role.ANALYST))
    clear_supervision(store, supervision, principal=LEADER)
    with pytest.raises(SupervisionRefused, match="already cleared"):
        clear_supervision(store, supervision, principal=LEADER)


def test_open_supervisions_keep_to_the_scope_and_put_escalated_ones_first(store, order):
    first = _supervise(store, order, hours=1)
    second = supervise(store, subject="event", subject_id=order, department="urban_mgmt", instruction="协助",
                       deadline=OVERDUE + timedelta(hours=10), principal=LEADER, now=OVERDUE)
    third = supervise(store, subject="event", subject_id=str(order), department="water", instruction="再催",
                      deadline=OVERDUE + timedelta(hours=20), principal=LEADER, now=OVERDUE)
    escalate_overdue(store, OVERDUE + timedelta(hours=12))
    store.commit()
    assert [view.id for view in open_supervisions(store)] == [first, second, third]
    assert [view.id for view in open_supervisions(store, scope=WATER.scope)] == [first, third]
    assert [view.id for view in open_supervisions(store, department="urban_mgmt", subject="event")] == [second]
    assert open_supervisions(store, subject="alert") == []
    assert supervisions_for(store, "event", [order + 1]) == {}


def test_every_supervision_refusal_is_worded_in_both_languages():
    for code in REASONS:
        assert translator("zh-CN")[f"supervision.refusal.{code}"] and translator("en")[f"supervision.refusal.{code}"]


def test_waiting_supervisions_are_counted_and_cut_in_sql(store, order):
    """A wall's marker and a briefing count without reading rows; a leader's card reads only the rows it shows."""
    first = _supervise(store, order, hours=1)
    second = supervise(store, subject="event", subject_id=order, department="urban_mgmt", instruction="协助",
                       deadline=OVERDUE + timedelta(hours=10), principal=LEADER, now=OVERDUE)
    supervise(store, subject="event", subject_id=str(order), department="water", instruction="再催",
              deadline=OVERDUE + timedelta(hours=20), principal=LEADER, now=OVERDUE)
    escalate_overdue(store, OVERDUE + timedelta(hours=12))
    store.commit()
    counts = waiting_counts(store, now=OVERDUE + timedelta(hours=15))
    assert (counts.open, counts.escalated, counts.overdue) == (1, 2, 2)
    assert waiting_counts(store, now=OVERDUE + timedelta(hours=15), scope=WATER.scope) == WaitingCounts(1, 1, 1)
    assert [view.id for view in open_supervisions(store, limit=2)] == [first, second]
    assert open_supervisions(store, created_by="nobody") == []
    assert len(open_supervisions(store, created_by=LEADER.username)) == 3
