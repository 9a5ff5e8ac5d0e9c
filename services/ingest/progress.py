"""Department systems reconcile and report progress on the events they sent, by (source, external id).

Lifecycle moves go through `services.events.transition` (its refusals and codes unchanged). A dispatch stage
(accepted, arrived, finished) is kept even when it arrives out of order: an `arrived` before its `accepted`
records the arrival and moves the dispatch on, and the late `accepted` then fills in its time without moving it
back, because a department's systems do not queue their messages for us. Everything is audited; the caller
commits.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services import audit
from services.access import Principal, mask_name, mask_phone
from services.events import (
    DISPATCH_STAGES,
    WORKING,
    TransitionRefused,
    history,
    invalidate_events,
    transition,
)
from services.ingest.report import on_commit
from services.store import Event, EventDispatch

# The contract's stage names -> the lifecycle's stage verbs, in the order a dispatch passes them.
STAGES = {"accepted": "accept", "arrived": "arrive", "finished": "finish"}
ORDER = ("dispatched", "accepted", "arrived", "finished")


def find_event(session: Session, source: str, external_id: str) -> Event | None:
    return session.scalar(select(Event).where(Event.source == source, Event.external_id == external_id))


def event_record(session: Session, event: Event, *, may_see_pii: bool) -> dict[str, Any]:
    """The stored event, its dispatches and its lifecycle history (reporter masked unless `may_see_pii`)."""
    parts = session.scalars(select(EventDispatch).where(EventDispatch.event_id == event.id)
                            .order_by(EventDispatch.dispatched_at, EventDispatch.id))
    return {
        "id": event.id, "source": event.source, "external_id": event.external_id, "category": event.category,
        "subcategory": event.subcategory, "title": event.title, "description": event.description,
        "priority": event.severity, "status": event.status, "reported_at": event.reported_at,
        "sla_due_at": event.sla_due_at, "closed_at": event.closed_at, "district": event.district,
        "grid": event.grid, "out_of_city": event.out_of_city, "lon": event.lon, "lat": event.lat,
        "address": event.address,
        "reporter_name": event.reporter_name if may_see_pii else mask_name(event.reporter_name),
        "reporter_phone": event.reporter_phone if may_see_pii else mask_phone(event.reporter_phone),
        "dispatches": [{"department": part.department, "status": part.status, "dispatched_at": part.dispatched_at,
                        "accepted_at": part.accepted_at, "arrived_at": part.arrived_at,
                        "finished_at": part.finished_at, "note": part.note} for part in parts],
        "history": [{"from": move.from_status, "to": move.to_status, "by": move.user, "comment": move.comment,
                     "at": move.at} for move in history(session, event.id)],
    }  # fmt: skip


def move_event(session: Session, event: Event, to: str, *, principal: Principal, comment: str | None = None,
               departments: list[str] | None = None, at: datetime | None = None) -> None:
    """One lifecycle move reported by a department's system; raises TransitionRefused (audited by the caller's
    handler as it sees fit) with the lifecycle's code when illegal."""
    transition(session, event.id, to, principal=principal, comment=comment, departments=departments or (),
               now=at)
    audit.record(session, actor=principal, action=f"event.{to}", target=f"event:{event.id}", detail=comment)
    on_commit(session, invalidate_events)


def report_dispatch(session: Session, event: Event, department: str, stage: str, *, principal: Principal,
                    at: datetime | None = None, note: str | None = None) -> EventDispatch:
    """Record a department's stage on its part of `event`, in or out of order (see the module's docstring)."""
    if stage not in STAGES:
        raise TransitionRefused("unknown_stage", stage=stage, stages=tuple(STAGES))
    part = session.scalar(select(EventDispatch).where(EventDispatch.event_id == event.id,
                                                      EventDispatch.department == department))
    if part is None or not principal.scope.allows_department(department):
        raise TransitionRefused("no_dispatch", dispatch_id=f"{department} on event {event.id}")
    if event.status not in WORKING:
        raise TransitionRefused("not_working", current=event.status)
    _needed, status, column = DISPATCH_STAGES[STAGES[stage]]
    setattr(part, column, (at or datetime.now(UTC)).astimezone(UTC))
    if ORDER.index(status) > ORDER.index(part.status):
        part.status = status
    if note:
        part.note = note
    session.flush()
    audit.record(session, actor=principal, action=f"event.dispatch.{STAGES[stage]}",
                 target=f"dispatch:{part.id}", detail=note)
    on_commit(session, invalidate_events)
    return part
