"""Citizen requests in the store: a posted one becomes an event (through the same ingest as every department's
events, so its district and grid cell are set the same way) plus its work order, with the same time limits,
caller key and repeat flag as an order the hotline's agents take (services/hotline/intake.py); stored ones are
read back as plain rows for the Open311 answers, newest first, never with the reporter's personal data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.citypack import HotlineLimits
from services.geo import City
from services.hotline.intake import Intake, caller_key, file_order, flag_repeats, place_words
from services.hotline.open311 import CHANNEL, Open311Error, PostedRequest
from services.ingest import find_event, ingest_events
from services.store import Event, EventDispatch, WorkOrder
from services.store.catalog import CategoryRow

MOST_RETURNED = 1000  # the spec's ceiling on one GET requests answer
DEFAULT_DAYS = 90  # the spec's default window when no dates are given


@dataclass(frozen=True)
class StoredRequest:
    """What an Open311 record is made of: the event's public fields, its departments and the work order's link."""

    id: int
    category: str
    status: str
    description: str | None
    address: str | None
    lat: float | None
    lon: float | None
    reported_at: datetime
    updated_at: datetime
    sla_due_at: datetime | None
    departments: tuple[str, ...]  # those working on it (a department that returned it is not)
    media_url: str | None
    reply: str | None  # the department's answer to the citizen, once given


def submit(session: Session, posted: PostedRequest, *, source: str, city: City, categories: Sequence[CategoryRow],
           limits: HotlineLimits, secret_key: str) -> int:
    """Store a posted request as an event (left `reported`: the hotline takes it when it dispatches it) and its
    work order; the new event's id (the service_request_id). The caller commits."""
    report = ingest_events(session, [posted.event], source=source, city=city, categories=categories)
    if report.refused:
        refusal = report.refused[0]
        raise Open311Error(400, f"{refusal.field}: {refusal.reason}")
    event = find_event(session, source[:32], posted.token)
    assert event is not None, "the event just ingested is there"
    intake = Intake(channel=CHANNEL, urgency="ordinary", caller_key=caller_key(posted.event["reporter_phone"],
                                                                              secret_key),
                    token=posted.token, media_url=posted.media_url, email=posted.email, device_id=posted.device_id,
                    account_id=posted.account_id)
    file_order(session, event, intake, limits=limits, taker=None)
    flag_repeats(session, [event], ignore=place_words(city))
    return event.id


def id_for_token(session: Session, token: str) -> int | None:
    return session.scalar(select(WorkOrder.event_id).where(WorkOrder.token == token))


def stored_requests(session: Session, *, ids: Sequence[int] | None = None, categories: Sequence[str] | None = None,
                    statuses: Sequence[str] | None = None, start: datetime | None = None,
                    end: datetime | None = None) -> list[StoredRequest]:
    """The citizen requests asked for, newest first, at most the spec's 1 000. Given `ids`, the other filters are
    ignored (as the spec says); else the window defaults to the last 90 days before `end` (or now)."""
    query = (select(Event.id, Event.category, Event.status, Event.description, Event.address, Event.lat, Event.lon,
                    Event.reported_at, Event.updated_at, Event.sla_due_at, WorkOrder.media_url, WorkOrder.reply)
             .join(WorkOrder, WorkOrder.event_id == Event.id))
    if ids is not None:
        query = query.where(Event.id.in_(ids))
    else:
        if categories:
            query = query.where(Event.category.in_(categories))
        if statuses is not None:
            query = query.where(Event.status.in_(statuses))
        if start is not None:
            query = query.where(Event.reported_at >= start)
        if end is not None:
            query = query.where(Event.reported_at <= end)
        if start is None:
            query = query.where(Event.reported_at >= (end or datetime.now(UTC)) - timedelta(days=DEFAULT_DAYS))
    rows = session.execute(query.order_by(Event.reported_at.desc(), Event.id.desc()).limit(MOST_RETURNED)).all()
    departments: dict[int, list[str]] = {}
    if rows:
        for event_id, department in session.execute(
                select(EventDispatch.event_id, EventDispatch.department)
                .where(EventDispatch.event_id.in_([row.id for row in rows]), EventDispatch.status != "returned")
                .order_by(EventDispatch.dispatched_at, EventDispatch.id)):
            departments.setdefault(event_id, []).append(department)
    return [StoredRequest(id=row.id, category=row.category, status=row.status, description=row.description,
                          address=row.address, lat=row.lat, lon=row.lon, reported_at=row.reported_at,
                          updated_at=row.updated_at, sla_due_at=row.sla_due_at,
                          departments=tuple(departments.get(row.id, ())), media_url=row.media_url, reply=row.reply)
            for row in rows]
