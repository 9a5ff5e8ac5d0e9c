"""The event state machine (DESIGN.md, GB/T 30428 / 数字城管): which moves are allowed, and the record of each move.

reported → registered (立案) | cancelled; registered → dispatched | cancelled; dispatched → in_progress → feedback →
checking → closed (结案), or checking → rework → in_progress. A refused move raises `TransitionRefused`: its `code`
names the rule and its `params` the values (a page words them in its own language from its catalog), and its
`reason` is the English sentence for logs and the audit trail. An allowed move updates the event and appends to its
history.

Each department's part (a dispatch) moves on its own: dispatched → accepted → arrived → finished (`advance_dispatch`),
only while its event is being worked on, and only by a caller whose scope holds that department.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.access import Action, Principal
from services.store import Department, Event, EventDispatch, EventTransition

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
# Every refusal: its code and the English sentence its parameters fill in. A parameter that is a list of codes
# (statuses, stages, departments) stays a tuple in `params` and is joined only here, so a page can word each item.
REASONS: Mapping[str, str] = {
    "unknown_status": "unknown status {to!r}: use one of {statuses}",
    "unknown_current": "the event has an unknown status {current!r}",
    "finished": "the event is {current}: no further moves",
    "not_allowed": "{current} → {to} is not allowed: from {current} the next step is {allowed}",
    "needs_comment": "{to} needs a comment saying why",
    "departments_only_dispatching": "departments are given only when dispatching",
    "needs_department": "dispatched needs at least one department",
    "unknown_departments": "unknown department(s): {departments}",
    "no_event": "no event {event_id} in your scope",
    "role": "role {role} may not change events",
    "unknown_stage": "unknown dispatch stage {stage!r}: use one of {stages}",
    "no_dispatch": "no dispatch {dispatch_id} in your scope",
    "not_working": "the event is {current}: its departments' work can no longer change",
    "stage_order": "{department} is {dispatch_status}: {stage} needs it {needed} first",
}
_JOINERS = {"allowed": " or ", "statuses": ", ", "stages": ", ", "departments": ", "}


class TransitionRefused(ValueError):
    """An illegal or unauthorised move: `code` (a `REASONS` key) and `params` for a page to word in its language,
    `reason` the English sentence."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code, self.params = code, params
        self.reason = REASONS[code].format(**{name: _JOINERS[name].join(value) if isinstance(value, tuple) else value
                                              for name, value in params.items()})
        super().__init__(self.reason)


def refusal(current: str, to: str) -> TransitionRefused | None:
    """Why `current → to` is not a lifecycle move (the refusal to raise), or None when it is."""
    if to not in TRANSITIONS:
        return TransitionRefused("unknown_status", to=to, statuses=STATUSES)
    if current not in TRANSITIONS:
        return TransitionRefused("unknown_current", current=current)
    allowed = TRANSITIONS[current]
    if not allowed:
        return TransitionRefused("finished", current=current)
    if to not in allowed:
        return TransitionRefused("not_allowed", current=current, to=to, allowed=tuple(sorted(allowed)))
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
    refused = refusal(event.status, to)
    if refused:
        raise refused
    if to in NEEDS_COMMENT and not (comment or "").strip():
        raise TransitionRefused("needs_comment", to=to)
    codes = sorted(set(departments))
    if to == "dispatched":
        _dispatch(session, event, codes, now)
    elif codes:
        raise TransitionRefused("departments_only_dispatching")
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
        raise TransitionRefused("no_event", event_id=event_id)
    if not principal.may(Action.EVENT_ACT):
        raise TransitionRefused("role", role=principal.role.value)
    return event


def advance_dispatch(session: Session, dispatch_id: int, stage: str, *, principal: Principal,
                     now: datetime | None = None) -> EventDispatch:
    """Record that a department accepted, arrived at or finished its part of an event (`stage` accept | arrive |
    finish), in that order. Raises TransitionRefused (nothing written) for an unknown stage or dispatch, one
    outside the caller's scope, a stage out of order, or an event no longer being worked on. The caller commits."""
    if stage not in DISPATCH_STAGES:
        raise TransitionRefused("unknown_stage", stage=stage, stages=tuple(DISPATCH_STAGES))
    part = session.get(EventDispatch, dispatch_id)
    if part is None or not principal.scope.allows_department(part.department):
        raise TransitionRefused("no_dispatch", dispatch_id=dispatch_id)
    event = _workable(session, part.event_id, principal)
    if event.status not in WORKING:
        raise TransitionRefused("not_working", current=event.status)
    needed, status, column = DISPATCH_STAGES[stage]
    if part.status != needed:
        raise TransitionRefused("stage_order", department=part.department, dispatch_status=part.status, stage=stage,
                                needed=needed)
    part.status = status
    setattr(part, column, now or datetime.now(UTC))
    session.flush()
    return part


def _dispatch(session: Session, event: Event, codes: list[str], now: datetime) -> None:
    if not codes:
        raise TransitionRefused("needs_department")
    known = set(session.scalars(select(Department.code).where(Department.code.in_(codes))))
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise TransitionRefused("unknown_departments", departments=tuple(unknown))
    session.add_all([EventDispatch(event_id=event.id, department=code, dispatched_at=now, status="dispatched")
                     for code in codes])


def history(session: Session, event_id: int) -> list[EventTransition]:
    """The recorded moves of one event, oldest first."""
    query = select(EventTransition).where(EventTransition.event_id == event_id).order_by(EventTransition.at,
                                                                                        EventTransition.id)
    return list(session.scalars(query))
