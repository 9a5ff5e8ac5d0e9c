"""One work order as a page or an API shows it: the event's public fields, the reporter masked unless the caller
may see personal data, the channel and urgency, the reply and close deadlines with their SLA cards, every
dispatch (returned ones too), the history, the follow-up, the repeat flag and the supervisions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.access import Principal, mask_name, mask_phone
from services.events import history
from services.hotline.orders import order_of
from services.hotline.refusals import OrderRefused
from services.sla import SlaCard, sla_card
from services.store import EventDispatch
from services.supervision import SupervisionView, supervisions_for


@dataclass(frozen=True)
class DispatchView:
    id: int
    department: str
    status: str  # dispatched | accepted | arrived | finished | returned
    dispatched_at: datetime
    accepted_at: datetime | None
    arrived_at: datetime | None
    finished_at: datetime | None  # for a returned dispatch: when it was returned
    note: str | None  # the department's words; a returned dispatch's reason


@dataclass(frozen=True)
class MoveView:
    from_status: str
    to_status: str
    user: str
    comment: str | None
    at: datetime


@dataclass(frozen=True)
class FollowUpView:
    at: datetime
    reached: bool | None
    satisfaction: str | None  # satisfied | basic | dissatisfied; None when not reached


@dataclass(frozen=True)
class OrderDetail:
    id: int
    source: str
    external_id: str | None
    category: str
    subcategory: str | None
    title: str | None
    description: str | None
    status: str  # the event's lifecycle status
    district: str | None
    address: str | None
    lon: float | None
    lat: float | None
    reported_at: datetime
    closed_at: datetime | None
    reporter_name: str | None  # masked unless the caller may see personal data
    reporter_phone: str | None
    channel: str
    urgency: str
    reply_due_at: datetime | None
    reply_card: SlaCard
    close_due_at: datetime | None
    close_card: SlaCard
    replied_at: datetime | None
    reply: str | None
    reopened: int
    repeat_of: int | None
    follow_up: FollowUpView | None
    dispatches: tuple[DispatchView, ...]
    history: tuple[MoveView, ...]
    supervisions: tuple[SupervisionView, ...]

    @property
    def departments(self) -> tuple[str, ...]:
        """The departments working on it (not those that returned it)."""
        return tuple(part.department for part in self.dispatches if part.status != "returned")


def order_detail(session: Session, order_id: int, *, principal: Principal, now: datetime | None = None
                 ) -> OrderDetail:
    """The order as `principal` may see it; OrderRefused no_order outside the caller's scope (a caller bound to
    departments sees the orders dispatched to one of them)."""
    now = now or datetime.now(UTC)
    event, order = order_of(session, order_id, principal)
    parts = session.scalars(select(EventDispatch).where(EventDispatch.event_id == order_id)
                            .order_by(EventDispatch.dispatched_at, EventDispatch.id)).all()
    if principal.scope.departments and not principal.scope.departments & {part.department for part in parts}:
        raise OrderRefused("no_order", order_id=order_id)
    pii = principal.may_see_pii
    follow = (FollowUpView(order.followed_up_at, order.reached, order.satisfaction)
              if order.followed_up_at is not None else None)
    return OrderDetail(
        id=event.id, source=event.source, external_id=event.external_id, category=event.category,
        subcategory=event.subcategory, title=event.title, description=event.description, status=event.status,
        district=event.district, address=event.address, lon=event.lon, lat=event.lat,
        reported_at=event.reported_at, closed_at=event.closed_at,
        reporter_name=event.reporter_name if pii else mask_name(event.reporter_name),
        reporter_phone=event.reporter_phone if pii else mask_phone(event.reporter_phone),
        channel=order.channel, urgency=order.urgency,
        reply_due_at=order.reply_due_at, reply_card=sla_card(event.reported_at, order.reply_due_at,
                                                             order.replied_at or now),
        close_due_at=event.sla_due_at, close_card=sla_card(event.reported_at, event.sla_due_at,
                                                           event.closed_at or now),
        replied_at=order.replied_at, reply=order.reply, reopened=order.reopened or 0, repeat_of=order.repeat_of,
        follow_up=follow,
        dispatches=tuple(DispatchView(part.id, part.department, part.status, part.dispatched_at, part.accepted_at,
                                      part.arrived_at, part.finished_at, part.note) for part in parts),
        history=tuple(MoveView(move.from_status, move.to_status, move.user, move.comment, move.at)
                      for move in history(session, order_id)),
        supervisions=tuple(supervisions_for(session, "event", [order_id]).get(str(order_id), ())),
    )  # fmt: skip
