"""The event state machine on both backends: legal moves recorded with who and why, illegal ones refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.access import Principal, Role, Scope
from services.events.lifecycle import (
    TRANSITIONS,
    TransitionRefused,
    advance_dispatch,
    history,
    refusal,
    transition,
)
from services.store import Event, EventDispatch
from tests.services.events.data import NOW, reported_event

OPERATOR = Principal(username="op1", role=Role.OPERATOR)


@pytest.fixture
def event_id(session) -> int:
    return reported_event(session)


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
    closed = refusal("closed", "rework")
    assert closed is not None and closed.reason == "the event is closed: no further moves"
    assert (closed.code, closed.params) == ("finished", {"current": "closed"})
    assert refusal("checking", "closed") is None


def test_a_refusal_carries_its_code_and_parameters_for_the_page_to_word(session, event_id):
    with pytest.raises(TransitionRefused) as refused:
        transition(session, event_id, "closed", principal=OPERATOR, now=NOW)
    assert refused.value.code == "not_allowed"
    assert refused.value.params == {"current": "reported", "to": "closed", "allowed": ("cancelled", "registered")}
    assert str(refused.value) == refused.value.reason


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


def _dispatched(session, event_id: int) -> dict[str, int]:
    transition(session, event_id, "registered", principal=OPERATOR, now=NOW)
    transition(session, event_id, "dispatched", principal=OPERATOR, departments=["police", "medical"], now=NOW)
    session.commit()
    return {d.department: d.id for d in session.query(EventDispatch).filter_by(event_id=event_id)}


def test_each_department_accepts_arrives_and_finishes_in_order(session, event_id):
    parts = _dispatched(session, event_id)
    for n, stage in enumerate(("accept", "arrive", "finish")):
        advance_dispatch(session, parts["police"], stage, principal=OPERATOR, now=NOW + timedelta(minutes=n + 1))
    session.commit()
    police, medical = session.get(EventDispatch, parts["police"]), session.get(EventDispatch, parts["medical"])
    assert police.status == "finished"
    assert (police.accepted_at, police.arrived_at, police.finished_at) == tuple(
        NOW + timedelta(minutes=m) for m in (1, 2, 3))
    assert medical.status == "dispatched" and medical.accepted_at is None


def test_dispatch_stages_out_of_order_or_out_of_scope_are_refused(session, event_id):
    parts = _dispatched(session, event_id)
    with pytest.raises(TransitionRefused, match="police is dispatched: arrive needs it accepted first"):
        advance_dispatch(session, parts["police"], "arrive", principal=OPERATOR, now=NOW)
    with pytest.raises(TransitionRefused, match="unknown dispatch stage 'land'"):
        advance_dispatch(session, parts["police"], "land", principal=OPERATOR, now=NOW)
    fire_only = Principal("f1", Role.OPERATOR, scope=Scope.of(departments=["fire"]))
    with pytest.raises(TransitionRefused, match=f"no dispatch {parts['police']} in your scope"):
        advance_dispatch(session, parts["police"], "accept", principal=fire_only, now=NOW)
    with pytest.raises(TransitionRefused, match="role analyst may not change events"):
        advance_dispatch(session, parts["police"], "accept", principal=Principal("a", Role.ANALYST), now=NOW)
    transition(session, event_id, "in_progress", principal=OPERATOR, now=NOW)
    transition(session, event_id, "feedback", principal=OPERATOR, now=NOW)
    with pytest.raises(TransitionRefused, match="the event is feedback: its departments' work can no longer change"):
        advance_dispatch(session, parts["medical"], "accept", principal=OPERATOR, now=NOW)
    assert session.get(EventDispatch, parts["police"]).status == "dispatched"


def test_the_open_events_index_lists_the_open_statuses():
    """PostgreSQL uses ix_events_open_due only for a query whose statuses imply its predicate: a status added to an
    event's life must be added to the index too (with a migration)."""
    from services.events.queries import OPEN
    from services.store.models.events import OPEN_EVENTS

    assert OPEN_EVENTS == f"status IN ({', '.join(repr(status) for status in OPEN)})"
