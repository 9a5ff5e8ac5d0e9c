"""Event commands on both databases: each writes its move (or a department's stage) and exactly one audit-log entry
naming the operator, in the caller's transaction, and the map's cached results are forgotten when, and only when,
that transaction commits; a refused command writes nothing and forgets nothing."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services import audit
from services.access import Principal, Role
from services.events import ACTIONS, EventCommand, TransitionRefused, act, counts_by_district, record_refusal
from services.store import AuditEntry, Event, EventDispatch, EventTransition
from tests.services.events.data import NOW, reported_event

OPERATOR = Principal("op1", Role.OPERATOR)
# The moves that lead to each action's own move, from a reported event, and that action's command's extras.
BEFORE = {"register": (), "dispatch": ("register",), "start": ("register", "dispatch"),
          "feedback": ("register", "dispatch", "start"), "check": ("register", "dispatch", "start", "feedback"),
          "close": ("register", "dispatch", "start", "feedback", "check"),
          "rework": ("register", "dispatch", "start", "feedback", "check"), "cancel": ()}  # fmt: skip


@pytest.fixture
def event_id(session: Session) -> int:
    return reported_event(session)


def _command(event_id: int, action: str) -> EventCommand:
    return EventCommand(event_id, action, comment="why" if action in ("cancel", "rework") else None,
                        departments=("police", "medical") if action == "dispatch" else ())


def _open(session: Session) -> pd.DataFrame:
    """The map's district counts, as cached: the same result object until the cache forgets it."""
    return counts_by_district(session=session)


def _audited(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_moves_the_event_audits_once_and_forgets_the_cache_on_commit(session: Session, event_id: int,
                                                                                action: str) -> None:
    for step in BEFORE[action]:
        act(session, _command(event_id, step), principal=OPERATOR, now=NOW)
    session.commit()
    audited, cached = _audited(session), _open(session)

    act(session, _command(event_id, action), principal=OPERATOR, now=NOW)
    assert _open(session) is cached, "forgotten before the commit: a reader could cache the old rows again"
    session.commit()

    assert _open(session) is not cached
    assert session.get(Event, event_id).status == ACTIONS[action]  # type: ignore[union-attr]
    assert _audited(session) == audited + 1
    (entry,) = audit.recent(session, limit=1)
    assert (entry.actor, entry.role, entry.action, entry.target, entry.outcome, entry.at) == (
        "op1", "operator", f"event.{action}", f"event:{event_id}", "ok", NOW)
    assert entry.detail == ("why" if action in ("cancel", "rework") else None)


def test_a_cancel_shows_on_the_map_after_the_commit(session: Session, event_id: int) -> None:
    assert _open(session).set_index("district").loc["350203", "open"] == 1
    act(session, EventCommand(event_id, "cancel", comment="duplicate"), principal=OPERATOR, now=NOW)
    session.commit()
    assert _open(session).set_index("district").reindex(["350203"], fill_value=0).loc["350203", "open"] == 0


def test_a_dispatch_stage_is_audited_against_its_dispatch(session: Session, event_id: int) -> None:
    for step in ("register", "dispatch"):
        act(session, _command(event_id, step), principal=OPERATOR, now=NOW)
    session.commit()
    police = session.scalar(select(EventDispatch.id).where(EventDispatch.event_id == event_id,
                                                           EventDispatch.department == "police"))
    assert police is not None
    audited, cached = _audited(session), _open(session)

    act(session, EventCommand(event_id, "accept", dispatch_id=police), principal=OPERATOR, now=NOW)
    session.commit()

    assert session.get(EventDispatch, police).status == "accepted"  # type: ignore[union-attr]
    assert _audited(session) == audited + 1 and _open(session) is not cached
    (entry,) = audit.recent(session, limit=1)
    assert (entry.action, entry.target, entry.actor) == ("event.dispatch.accept", f"dispatch:{police}", "op1")


def test_the_move_and_its_audit_entry_roll_back_together(session: Session, event_id: int) -> None:
    cached = _open(session)
    act(session, _command(event_id, "register"), principal=OPERATOR, now=NOW)
    session.rollback()
    assert session.get(Event, event_id).status == "reported"  # type: ignore[union-attr]
    assert _audited(session) == 0 and _open(session) is cached


@pytest.mark.parametrize(("command", "principal", "code"), [
    (EventCommand(0, "close"), OPERATOR, "not_allowed"),
    (EventCommand(0, "cancel"), OPERATOR, "needs_comment"),
    (EventCommand(0, "done"), OPERATOR, "unknown_status"),
    (EventCommand(0, "register"), Principal("a", Role.ANALYST), "role"),
    (EventCommand(0, "accept", dispatch_id=999_999), OPERATOR, "no_dispatch"),
])  # fmt: skip
def test_a_refused_command_writes_nothing_and_forgets_nothing(session: Session, event_id: int,
                                                              command: EventCommand, principal: Principal,
                                                              code: str) -> None:
    command = EventCommand(event_id, command.action, dispatch_id=command.dispatch_id)
    cached = _open(session)
    with pytest.raises(TransitionRefused) as refused:
        act(session, command, principal=principal, now=NOW)
    assert refused.value.code == code
    session.commit()
    assert _audited(session) == 0 and _open(session) is cached
    assert session.scalar(select(func.count()).select_from(EventTransition)) == 0
    assert session.get(Event, event_id).status == "reported"  # type: ignore[union-attr]


def test_a_refusal_is_audited_with_its_reason_when_the_caller_asks(session: Session, event_id: int) -> None:
    command = EventCommand(event_id, "close")
    with pytest.raises(TransitionRefused) as refused:
        act(session, command, principal=OPERATOR, now=NOW)
    record_refusal(session, command, refused.value, principal=OPERATOR)
    session.commit()
    (entry,) = audit.recent(session)
    assert (entry.action, entry.target, entry.outcome) == ("event.close", f"event:{event_id}", "refused")
    assert entry.detail == refused.value.reason
