"""The event state machine on both backends: legal moves recorded with who and why, illegal ones refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.access import Principal, Role, Scope
from services.db import Department, District, Event, EventDispatch
from services.lifecycle import TRANSITIONS, TransitionRefused, history, refusal, transition

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
OPERATOR = Principal(username="op1", role=Role.OPERATOR)


@pytest.fixture
def event_id(session) -> int:
    session.add(District(adcode="350203", name_zh="思明区", name_en="Siming", geometry="{}"))
    session.add_all([Department(code=c, name_zh=c, name_en=c, kind=c) for c in ("police", "medical")])
    event = Event(category="traffic", source="hotline", severity="moderate", status="reported", district="350203",
                  lat=24.45, lon=118.08, reported_at=NOW, sla_due_at=NOW + timedelta(hours=2))
    session.add(event)
    session.commit()
    return event.id


def test_full_lifecycle_with_rework_is_recorded_in_order(session, event_id):
    steps = [("registered", None, ()), ("dispatched", None, ("police", "medical")), ("in_progress", None, ()),
             ("feedback", None, ()), ("checking", None, ()), ("rework", "photo missing", ()),
             ("in_progress", None, ()), ("feedback", None, ()), ("checking", None, ()), ("closed", "ok", ())]
    for n, (to, comment, departments) in enumerate(steps):
        transition(session, event_id, to, principal=OPERATOR, comment=comment, departments=departments,
                   now=NOW + timedelta(minutes=n))
    session.commit()
    event = session.get(Event, event_id)
    assert event.status == "closed" and event.closed_at == NOW + timedelta(minutes=len(steps) - 1)
    moves = history(session, event_id)
    assert [(m.from_status, m.to_status) for m in moves][:2] == [("reported", "registered"),
                                                               ("registered", "dispatched")]
    assert [m.to_status for m in moves] == [s[0] for s in steps]
    assert moves[5].comment == "photo missing" and {m.user for m in moves} == {"op1"}
    dispatched = session.query(EventDispatch).filter_by(event_id=event_id).all()
    assert sorted(d.department for d in dispatched) == ["medical", "police"]


@pytest.mark.parametrize(
    ("moves", "to", "reason"),
    [
        ((), "closed", "reported → closed is not allowed: from reported the next step is cancelled or registered"),
        ((), "in_progress", "from reported the next step is"),
        (("registered",), "feedback", "registered → feedback is not allowed"),
        ((), "done", "unknown status 'done'"),
        ((), "cancelled", "cancelled needs a comment saying why"),
        (("registered",), "dispatched", "dispatched needs at least one department"),
    ],
)
def test_illegal_moves_are_refused_with_a_reason_and_write_nothing(session, event_id, moves, to, reason):
    for step in moves:
        transition(session, event_id, step, principal=OPERATOR, now=NOW)
    before = len(history(session, event_id))
    with pytest.raises(TransitionRefused, match=reason) as refused:
        transition(session, event_id, to, principal=OPERATOR, now=NOW)
    assert refused.value.reason
    assert len(history(session, event_id)) == before


def test_closed_and_cancelled_events_do_not_move(session, event_id):
    transition(session, event_id, "cancelled", principal=OPERATOR, comment="duplicate report", now=NOW)
    with pytest.raises(TransitionRefused, match="the event is cancelled: no further moves"):
        transition(session, event_id, "registered", principal=OPERATOR, now=NOW)
    assert refusal("closed", "rework") == "the event is closed: no further moves"


def test_unknown_department_role_and_scope_are_refused(session, event_id):
    transition(session, event_id, "registered", principal=OPERATOR, now=NOW)
    with pytest.raises(TransitionRefused, match="unknown department\\(s\\): nobody"):
        transition(session, event_id, "dispatched", principal=OPERATOR, departments=["police", "nobody"], now=NOW)
    with pytest.raises(TransitionRefused, match="role analyst may not change events"):
        transition(session, event_id, "cancelled", principal=Principal("a", Role.ANALYST), comment="x", now=NOW)
    elsewhere = Principal("op2", Role.OPERATOR, scope=Scope.of(districts=["350206"]))
    with pytest.raises(TransitionRefused, match=f"no event {event_id} in your scope"):
        transition(session, event_id, "cancelled", principal=elsewhere, comment="x", now=NOW)
    assert session.get(Event, event_id).status == "registered"


def test_every_status_reaches_closed_or_is_terminal():
    terminal = {s for s, nxt in TRANSITIONS.items() if not nxt}
    assert terminal == {"closed", "cancelled"}
    reachable = {"reported"}
    frontier = ["reported"]
    while frontier:
        for nxt in TRANSITIONS[frontier.pop()]:
            if nxt not in reachable:
                reachable.add(nxt)
                frontier.append(nxt)
    assert reachable == set(TRANSITIONS)
