"""A work order's life after it is taken (受理, services/hotline/intake.py), on top of its event's lifecycle
(services/events: the state machine, its refusals and its history are the event's; nothing is duplicated here):

- 派单 `dispatch_order`: to one or more departments (registered → dispatched; a reported Open311 request is
  registered on the way);
- 退单 `return_order`: a department hands back a misassigned order; its dispatch becomes `returned`, the reason in
  its note, and its part ends (`finished_at` is the return's time);
- 重派 `redispatch_order`: new dispatches after a return (or after a follow-up reopened it), while the event is
  being worked on;
- 回复 `reply_order`: the department's answer to the citizen (the event moves to feedback, through in_progress);
- 办结 `close_order`: feedback → checking → closed;
- 回访 `follow_up`: reached or not, satisfied | basic | dissatisfied; a dissatisfied citizen reopens the order:
  the event goes closed → rework (in its history, with the follow-up's comment), `reopened` counts it, and the
  order gets new reply and close deadlines from the time limits.

Each step checks who asks (the event's district in the caller's scope, a role that works cases; a department's
own step, its department in the scope), is audited (`hotline.<step>`) in the caller's transaction, and raises
`OrderRefused` before anything is written. The caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services import audit
from services.access import Action, Principal
from services.citypack import HotlineLimits
from services.events import WORKING, advance_dispatch, transition
from services.hotline.refusals import OrderRefused, lifecycle_refusals
from services.store import Department, Event, EventDispatch, EventTransition, WorkOrder

SATISFACTIONS = ("satisfied", "basic", "dissatisfied")
RETURNABLE = frozenset({"dispatched", "accepted", "arrived"})
# The dispatch stages a department's system reports, in order, as services.events' stage verbs.
PROGRESS = {"accepted": "accept", "arrived": "arrive", "finished": "finish"}
_ORDER = ("dispatched", "accepted", "arrived", "finished")


def order_of(session: Session, order_id: int, principal: Principal) -> tuple[Event, WorkOrder]:
    """The order's event and work order, if the caller may see it; else OrderRefused no_order."""
    event = session.get(Event, order_id)
    order = session.get(WorkOrder, order_id) if event is not None else None
    if event is None or order is None or not principal.scope.allows_district(event.district):
        raise OrderRefused("no_order", order_id=order_id)
    return event, order


def active_dispatches(session: Session, order_id: int) -> list[EventDispatch]:
    """The order's dispatches not returned, oldest first."""
    return list(session.scalars(select(EventDispatch).where(EventDispatch.event_id == order_id,
                                                            EventDispatch.status != "returned")
                                .order_by(EventDispatch.dispatched_at, EventDispatch.id)))


def dispatch_order(session: Session, order_id: int, departments: Iterable[str], *, principal: Principal,
                   note: str | None = None, now: datetime | None = None) -> list[int]:
    """派单: dispatch the order to `departments` (two or more allowed); the new dispatches' ids."""
    now = now or datetime.now(UTC)
    event, _ = _workable(session, order_id, principal)
    codes = sorted(set(departments))
    with lifecycle_refusals():
        if event.status == "reported":  # a citizen's own request (Open311) is taken on the way
            transition(session, order_id, "registered", principal=principal, now=now)
        transition(session, order_id, "dispatched", principal=principal, comment=note, departments=codes, now=now)
    audit.record(session, actor=principal, action="hotline.dispatch", target=f"order:{order_id}",
                 detail=_detail(codes, note), at=now)
    return [part.id for part in active_dispatches(session, order_id)]


def return_order(session: Session, dispatch_id: int, *, principal: Principal, reason: str,
                 now: datetime | None = None) -> EventDispatch:
    """退单: the department of dispatch `dispatch_id` hands the order back, saying why."""
    now = now or datetime.now(UTC)
    part = session.get(EventDispatch, dispatch_id)
    if part is None or not principal.scope.allows_department(part.department):
        raise OrderRefused("no_dispatch", dispatch_id=dispatch_id)
    event, _ = _workable(session, part.event_id, principal)
    if not reason.strip():
        raise OrderRefused("needs_reason")
    if event.status not in WORKING:
        raise OrderRefused("not_working", current=event.status)
    if part.status not in RETURNABLE:
        raise OrderRefused("not_returnable", department=part.department, dispatch_status=part.status)
    part.status, part.note, part.finished_at = "returned", reason.strip(), now
    session.flush()
    audit.record(session, actor=principal, action="hotline.return", target=f"dispatch:{part.id}",
                 detail=f"order:{event.id} {part.department}: {part.note}", at=now)
    return part


def redispatch_order(session: Session, order_id: int, departments: Iterable[str], *, principal: Principal,
                     note: str | None = None, now: datetime | None = None) -> list[int]:
    """重派: after a return, or once a dissatisfied follow-up reopened the order, dispatch it to `departments`
    (none of them already working on it); the new dispatches' ids."""
    now = now or datetime.now(UTC)
    event, order = _workable(session, order_id, principal)
    if event.status not in WORKING:
        raise OrderRefused("not_working", current=event.status)
    parts = session.scalars(select(EventDispatch).where(EventDispatch.event_id == order_id)).all()
    if not order.reopened and not any(part.status == "returned" for part in parts):
        raise OrderRefused("nothing_returned", order_id=order_id)
    codes = sorted(set(departments))
    if not codes:
        raise OrderRefused("needs_department")
    known = set(session.scalars(select(Department.code).where(Department.code.in_(codes))))
    if unknown := tuple(code for code in codes if code not in known):
        raise OrderRefused("unknown_departments", departments=unknown)
    if busy := tuple(sorted({part.department for part in parts if part.status != "returned"} & set(codes))):
        raise OrderRefused("already_dispatched", departments=busy)
    new = [EventDispatch(event_id=order_id, department=code, dispatched_at=now, status="dispatched", note=note)
           for code in codes]
    session.add_all(new)
    session.flush()
    audit.record(session, actor=principal, action="hotline.redispatch", target=f"order:{order_id}",
                 detail=_detail(codes, note), at=now)
    return [part.id for part in new]


def progress_order(session: Session, order_id: int, department: str, stage: str, *, principal: Principal,
                   note: str | None = None, now: datetime | None = None) -> EventDispatch:
    """A department's progress on its part (`stage` accepted | arrived | finished): the stages before it that
    were not reported are recorded at the same time; a stage already passed changes nothing but the note."""
    now = now or datetime.now(UTC)
    if stage not in PROGRESS:
        raise OrderRefused("unknown_stage", stage=stage, stages=tuple(PROGRESS))
    _workable(session, order_id, principal)
    part = next((part for part in active_dispatches(session, order_id) if part.department == department), None)
    if part is None or not principal.scope.allows_department(department):
        raise OrderRefused("no_dispatch", dispatch_id=f"{department} on order {order_id}")
    with lifecycle_refusals():  # an active dispatch's status is one of _ORDER
        for passed in _ORDER[_ORDER.index(part.status) + 1:_ORDER.index(stage) + 1]:
            advance_dispatch(session, part.id, PROGRESS[passed], principal=principal, now=now)
    if note and note.strip():
        part.note = note.strip()
    session.flush()
    audit.record(session, actor=principal, action=f"hotline.progress.{stage}", target=f"dispatch:{part.id}",
                 detail=note, at=now)
    return part


def reply_order(session: Session, order_id: int, text: str, *, principal: Principal,
                now: datetime | None = None) -> WorkOrder:
    """回复: the department's answer to the citizen; the event moves to feedback (through in_progress), the
    reply is kept on the order and as the comment of that move in the history."""
    now = now or datetime.now(UTC)
    event, order = _workable(session, order_id, principal)
    if not text.strip():
        raise OrderRefused("empty_reply")
    working = active_dispatches(session, order_id)
    if not working:
        raise OrderRefused("no_active_dispatch", order_id=order_id)
    if principal.scope.departments and not principal.scope.departments & {part.department for part in working}:
        raise OrderRefused("no_order", order_id=order_id)
    if event.status not in WORKING:
        raise OrderRefused("not_replyable", current=event.status)
    with lifecycle_refusals():
        if event.status != "in_progress":
            transition(session, order_id, "in_progress", principal=principal, now=now)
        transition(session, order_id, "feedback", principal=principal, comment=text.strip(), now=now)
    order.reply, order.replied_at = text.strip(), now
    session.flush()
    audit.record(session, actor=principal, action="hotline.reply", target=f"order:{order_id}", detail=order.reply,
                 at=now)
    return order


def close_order(session: Session, order_id: int, *, principal: Principal, comment: str | None = None,
                now: datetime | None = None) -> Event:
    """办结: a replied order is checked and closed."""
    now = now or datetime.now(UTC)
    event, _ = _workable(session, order_id, principal)
    if event.status not in ("feedback", "checking"):
        raise OrderRefused("not_replied", current=event.status)
    with lifecycle_refusals():
        if event.status == "feedback":
            transition(session, order_id, "checking", principal=principal, now=now)
        transition(session, order_id, "closed", principal=principal, comment=comment, now=now)
    audit.record(session, actor=principal, action="hotline.close", target=f"order:{order_id}", detail=comment,
                 at=now)
    return event


def follow_up(session: Session, order_id: int, *, reached: bool, satisfaction: str | None, principal: Principal,
              comment: str | None = None, now: datetime | None = None,
              limits: HotlineLimits | None = None) -> WorkOrder:
    """回访: record the follow-up call of a closed order; a dissatisfied citizen reopens it (closed → rework, new
    deadlines from `limits`, the city pack's: `rt.pack.hotline_limits`; the defaults when not given). A citizen
    not reached may be called again; a reached one once per closing."""
    now = now or datetime.now(UTC)
    event, order = _workable(session, order_id, principal)
    if event.status != "closed":
        raise OrderRefused("not_closed", current=event.status)
    if order.reached and order.followed_up_at and event.closed_at and order.followed_up_at >= event.closed_at:
        raise OrderRefused("followed_up", order_id=order_id)
    if reached and satisfaction is None:
        raise OrderRefused("needs_satisfaction", choices=SATISFACTIONS)
    if not reached and satisfaction is not None:
        raise OrderRefused("unreached_satisfaction")
    if satisfaction is not None and satisfaction not in SATISFACTIONS:
        raise OrderRefused("unknown_satisfaction", satisfaction=satisfaction, choices=SATISFACTIONS)
    order.followed_up_at, order.reached, order.satisfaction = now, reached, satisfaction
    audit.record(session, actor=principal, action="hotline.follow_up", target=f"order:{order_id}",
                 detail=_detail([satisfaction or "unreached"], comment), at=now)
    if satisfaction == "dissatisfied":
        _reopen(session, event, order, principal, (comment or "").strip() or None, now, limits or HotlineLimits())
    session.flush()
    return order


def record_refused(session: Session, step: str, target: str, refused: OrderRefused, *, principal: Principal,
                   now: datetime | None = None) -> None:
    """A refused attempt in the audit log (`hotline.<step>`, outcome "refused", the English reason), written in a
    transaction the caller starts afresh after the refusal; the caller commits."""
    audit.record(session, actor=principal, action=f"hotline.{step}", target=target, outcome="refused",
                 detail=refused.reason, at=now)


def _reopen(session: Session, event: Event, order: WorkOrder, principal: Principal, comment: str | None,
            now: datetime, limits: HotlineLimits) -> None:
    """closed → rework: the hotline's own move (the events lifecycle keeps a closed case closed), recorded in the
    event's history as every move is."""
    session.add(EventTransition(event_id=event.id, from_status=event.status, to_status="rework",
                                user=principal.username, comment=comment, at=now))
    event.status, event.closed_at = "rework", None
    order.reply_due_at, event.sla_due_at = limits.due(event.category, order.urgency, now)
    order.reopened = (order.reopened or 0) + 1
    order.reply, order.replied_at = None, None
    audit.record(session, actor=principal, action="hotline.reopen", target=f"order:{event.id}", detail=comment,
                 at=now)


def _workable(session: Session, order_id: int, principal: Principal) -> tuple[Event, WorkOrder]:
    found = order_of(session, order_id, principal)
    if not principal.may(Action.EVENT_ACT):
        raise OrderRefused("role", role=principal.role.value)
    return found


def _detail(codes: Iterable[str], note: str | None) -> str:
    text = ", ".join(codes)
    return f"{text}: {note.strip()}" if note and note.strip() else text
