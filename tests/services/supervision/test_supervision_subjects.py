"""督办 of the other subjects, on both backends: an overdue application and an alert are supervised, answered and
cleared (or escalated) like a work order, within the caller's district scope, every step audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services import audit
from services.access import Principal, Role, Scope
from services.store import Alert, Application, Matter
from services.supervision import (
    SupervisionRefused,
    clear_supervision,
    escalate_overdue,
    open_supervisions,
    reply_supervision,
    supervise,
    supervisions_for,
)

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
LEADER = Principal("leader1", Role.LEADER)
WATER = Principal("water1", Role.OPERATOR, Scope.of(departments=["water"]))
ELSEWHERE = Principal("leader-jimei", Role.LEADER, Scope.of(districts=["350211"]))  # not where the items are


@pytest.fixture
def application(store: Session) -> int:
    """An application in Siming, overdue since yesterday; its id."""
    matter = store.scalars(select(Matter.code).order_by(Matter.code).limit(1)).one()
    row = Application(matter_code=matter, applicant_kind="citizen", district="350203", channel="window",
                      submitted_at=NOW - timedelta(days=5), due_at=NOW - timedelta(days=1), status="in_review",
                      visits=1)
    store.add(row)
    store.commit()
    return row.id


@pytest.fixture
def alert(store: Session) -> str:
    """An alert in Siming, as the persist worker stores it; its stream id."""
    store.add(Alert(stream_id="1796000000000-0", alert_id="burst-1", source="test", sent_at=NOW, severity="severe",
                    urgency="immediate", certainty="observed", category="infra", event="供水管爆裂",
                    headline="供水管爆裂", district="350203"))
    store.commit()
    return "1796000000000-0"


def test_an_overdue_application_is_supervised_answered_and_cleared(store, application):
    flagged = supervise(store, subject="application", subject_id=application, department="water",
                        instruction="请今日办结", deadline=NOW + timedelta(hours=8), principal=LEADER, now=NOW)
    store.commit()
    assert [view.subject_id for view in open_supervisions(store, subject="application")] == [str(application)]
    reply_supervision(store, flagged, "已补齐材料，今日办结", principal=WATER, now=NOW + timedelta(hours=2))
    clear_supervision(store, flagged, principal=LEADER, now=NOW + timedelta(hours=3))
    store.commit()
    [done] = supervisions_for(store, "application", [application])[str(application)]
    assert (done.status, done.reply) == ("cleared", "已补齐材料，今日办结")
    assert [entry.action for entry in reversed(audit.recent(store)) if entry.target == f"supervision:{flagged}"] == [
        "supervision.create", "supervision.reply", "supervision.clear"]


def test_an_unanswered_alert_supervision_escalates(store, alert):
    flagged = supervise(store, subject="alert", subject_id=alert, department="water", instruction="请核实并回复",
                        deadline=NOW + timedelta(hours=1), principal=LEADER, now=NOW)
    store.commit()
    assert escalate_overdue(store, NOW + timedelta(hours=2)) == [flagged]
    store.commit()
    [waiting] = open_supervisions(store, subject="alert")
    assert (waiting.subject_id, waiting.status) == (alert, "escalated")


@pytest.mark.parametrize("subject", ["application", "alert"])
def test_an_item_outside_the_callers_districts_is_refused_as_unknown(store, application, alert, subject):
    subject_id = application if subject == "application" else alert
    with pytest.raises(SupervisionRefused) as refused:
        supervise(store, subject=subject, subject_id=subject_id, department="water", instruction="请回复",
                  deadline=NOW + timedelta(hours=1), principal=ELSEWHERE, now=NOW)
    assert refused.value.code == "no_subject"
    assert supervisions_for(store, subject, [subject_id]) == {}
