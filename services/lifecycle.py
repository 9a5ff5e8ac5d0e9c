"""The event state machine (DESIGN.md, GB/T 30428 / 数字城管): which moves are allowed, and the record of each move.

reported → registered (立案) | cancelled; registered → dispatched | cancelled; dispatched → in_progress → feedback →
checking → closed (结案), or checking → rework → in_progress. A refused move raises `TransitionRefused`, whose
`reason` says why in words an operator can act on; an allowed one updates the event and appends to its history.

Each department's part (a dispatch) moves on its own: dispatched → accepted → arrived → finished (`advance_dispatch`),
only while its event is being worked on, and only by a caller whose scope holds that department.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.access import Action, Principal
from services.db import Department, Event, EventDispatch, EventTransition

TRANSITIONS: Mapping[str, frozenset[str]] = {
    "reported": frozenset({"registered", "cancelled"}),
    "registered": frozenset({"dispatched", "cancelled"}),
    "dispatched": frozenset({"in_progress"}),
    "in_progress": frozenset({"feedback"}),
    "feedback": frozenset({"checking"}),
    "checking": frozenset({"closed", "rework"}),
    "rework": frozenset({"in_progress"}),
    "closed": frozenset(),
    "cancelled": frozenset(),
}
STATUSES = tuple(TRANSITIONS)
# Moves that undo or stop work need a written reason in the history.
NEEDS_COMMENT = frozenset({"cancelled", "rework"})
# A dispatch's stages: the stage an operator records, the dispatch status it needs first, the status and time it sets.
DISPATCH_STAGES: Mapping[str, tuple[str, str, str]] = {
    "accept": ("dispatched", "accepted", "accepted_at"),
    "arrive": ("accepted", "arrived", "arrived_at"),
    "finish": ("arrived", "finished", "finished_at"),
}
WORKING = frozenset({"dispatched", "in_progress", "rework"})


class TransitionRefused(ValueError):
    """An illegal or unauthorised move; `reason` is the sentence to show."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def refusal(current: str, to: str) -> str | None:
    """Why `current → to` is not a lifecycle move, or None when it is."""
    if to not in TRANSITIONS:
        return f"unknown status {to!r}: use one of {', '.join(STATUSES)}"
    if current not in TRANSITIONS:
        return f"the event has an unknown status {current!r}"
    allowed = TRANSITIONS[current]
    if not allowed:
        return f"the event is {current}: no further moves"
    if to not in allowed:
        return f"{current} → {to} is not allowed: from {current} the next step is {' or '.join(sorted(allowed))}"
    return None


def transition(session: Session, event_id: int, to: str, *, principal: Principal, comment: str | None = None,
               departments: Iterable[str] = (), now: datetime | None = None) -> EventTransition:
    """Move event `event_id` to `to` and record who did it; `departments` are dispatched when `to` is dispatched.

    Raises TransitionRefused (nothing written) for an unknown event, an event outside the caller's scope, a role
    that may not work cases, an illegal move, a missing reason for cancel / rework, or a dispatch to no department.
    The caller commits, so a move and whatever else the callback writes land together.
    """
    now = now or datetime.now(UTC)
    event = _workable(session, event_id, principal)
    reason = refusal(event.status, to)
    if reason:
        raise TransitionRefused(reason)
    if to in NEEDS_COMMENT and not (comment or "").strip():
        raise TransitionRefused(f"{to} needs a comment saying why")
    codes = sorted(set(departments))
    if to == "dispatched":
        _dispatch(session, event, codes, now)
    elif codes:
        raise TransitionRefused("departments are given only when dispatching")
    record = EventTransition(event_id=event.id, from_status=event.status, to_status=to, user=principal.username,
                             comment=(comment or "").strip() or None, at=now)
    event.status = to
    if to == "closed":
        event.closed_at = now
    session.add(record)
    session.flush()
    return record


def _workable(session: Session, event_id: int, principal: Principal) -> Event:
    """The event, if the caller may work on it; else TransitionRefused saying why."""
    event = session.get(Event, event_id)
    if event is None or not principal.scope.allows_district(event.district):
        raise TransitionRefused(f"no event {event_id} in your scope")
    if not principal.may(Action.EVENT_ACT):
        raise TransitionRefused(f"role {principal.role.value} may not change events")
    return event


def advance_dispatch(session: Session, dispatch_id: int, stage: str, *, principal: Principal,
                     now: datetime | None = None) -> EventDispatch:
    """Record that a department accepted, arrived at or finished its part of an event (`stage` accept | arrive |
    finish), in that order. Raises TransitionRefused (nothing written) for an unknown stage or dispatch, one
    outside the caller's scope, a stage out of order, or an event no longer being worked on. The caller commits."""
    if stage not in DISPATCH_STAGES:
        raise TransitionRefused(f"unknown dispatch stage {stage!r}: use one of {', '.join(DISPATCH_STAGES)}")
    part = session.get(EventDispatch, dispatch_id)
    if part is None or not principal.scope.allows_department(part.department):
        raise TransitionRefused(f"no dispatch {dispatch_id} in your scope")
    event = _workable(session, part.event_id, principal)
    if event.status not in WORKING:
        raise TransitionRefused(f"the event is {event.status}: its departments' work can no longer change")
    needed, status, column = DISPATCH_STAGES[stage]
    if part.status != needed:
        raise TransitionRefused(f"{part.department} is {part.status}: {stage} needs it {needed} first")
    part.status = status
    setattr(part, column, now or datetime.now(UTC))
    session.flush()
    return part


def _dispatch(session: Session, event: Event, codes: list[str], now: datetime) -> None:
    if not codes:
        raise TransitionRefused("dispatched needs at least one department")
    known = set(session.scalars(select(Department.code).where(Department.code.in_(codes))))
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise TransitionRefused(f"unknown department(s): {', '.join(unknown)}")
    session.add_all([EventDispatch(event_id=event.id, department=code, dispatched_at=now, status="dispatched")
                     for code in codes])


def history(session: Session, event_id: int) -> list[EventTransition]:
    """The recorded moves of one event, oldest first."""
    query = select(EventTransition).where(EventTransition.event_id == event_id).order_by(EventTransition.at,
                                                                                        EventTransition.id)
    return list(session.scalars(query))
