"""受理: work orders from the hotline agents' system (phone, web, app, mini-program, the provincial 12345
platform), and the order beside a citizen's own Open311 request.

An order is an event first: its row goes through the same ingest as every department's events (checked, placed
on the map, idempotent on the sending system and its `external_id`), and is registered (立案) at the time it was
taken. Beside the event, its work order: the channel, the urgency, the reply and close deadlines from the city's
time limits (the event's `sla_due_at` is the close deadline), the caller's key (the phone's keyed hash, as calls
keep it: services/hotline/calls.py) and the repeat flag (`repeat_of`: services/hotline/repeats.find_repeats against
the caller's and the place's orders of the last `REPEAT_DAYS` days). Per-row report as every push API; the caller
commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from services import audit
from services.access import Principal, Role
from services.citypack import HotlineLimits
from services.events import transition
from services.geo import City
from services.hotline.repeats import METERS_PER_DEGREE, Order, find_repeats
from services.hotline.terms import file_terms
from services.ingest import MALFORMED, BatchReport, Refusal, applicant_key, ingest_events
from services.ingest.report import RowRefused, numbered, one_of
from services.store import Event, WorkOrder
from services.store.catalog import CategoryRow

CHUNK = 5_000
CHANNELS = ("phone", "web", "app", "mini_program", "province")
CHANNEL_ALIASES = {"电话": "phone", "热线": "phone", "网站": "web", "网页": "web", "app": "app", "小程序": "mini_program",
                   "mini-program": "mini_program", "省平台": "province", "省12345": "province"}
URGENCY_ALIASES = {"紧急": "urgent", "加急": "urgent", "一般": "ordinary", "普通": "ordinary"}
URGENCIES = ("urgent", "ordinary")
REPEAT_DAYS = 30
REPEAT_METERS = 200.0
_OWN = ("source", "channel", "urgency")  # the order's fields, not the event's


@dataclass(frozen=True)
class Intake:
    """What a work order adds to its event on arrival."""

    channel: str
    urgency: str
    caller_key: str | None
    token: str | None = None  # Open311's; a new one otherwise
    media_url: str | None = None
    email: str | None = None
    device_id: str | None = None
    account_id: str | None = None


def take_orders(session: Session, rows: Iterable[Any], *, source: str, city: City, categories: Sequence[CategoryRow],
                limits: HotlineLimits, secret_key: str, now: datetime | None = None) -> BatchReport:
    """Store the orders of `rows` ((row number, fields) pairs as `parse_table` yields them, or bare mappings) sent
    by `source`: fields `external_id`, `channel`, `urgency` (urgent | ordinary, default ordinary), `category`,
    `subcategory`, `title`, `description`, `lon`/`lat` or `address` + `district`, `reporter_name`,
    `reporter_phone`, `reported_at` (the 受理 time, with its offset). The caller commits."""
    report = BatchReport()
    taker = Principal(username=source[:64], role=Role.OPERATOR)
    rows_in = numbered(rows)
    while chunk := list(islice(rows_in, CHUNK)):
        intakes: dict[int, tuple[Mapping[str, Any], Intake]] = {}
        for row, fields in chunk:
            try:
                intake = _intake(fields, secret_key)
                fields_in = {key: value for key, value in fields.items() if key not in _OWN}
                if intake.urgency == "urgent" and not fields_in.get("priority"):
                    fields_in["priority"] = "high"
                intakes[row] = (fields_in, intake)
            except RowRefused as bad:
                report.refused.append(Refusal(row, bad.field, bad.reason))
        stored = ingest_events(session, [(row, fields_in) for row, (fields_in, _) in intakes.items()], source=source,
                               city=city, categories=categories)
        report.add(stored)
        refused = {refusal.row for refusal in stored.refused}
        taken = {str(fields_in["external_id"]).strip(): intake for row, (fields_in, intake) in intakes.items()
                 if row not in refused}
        events = _events(session, source[:32], list(taken))
        for event in events:
            file_order(session, event, taken[event.external_id or ""], limits=limits, taker=taker)
        flag_repeats(session, events, ignore=place_words(city))
    report.refused.sort(key=lambda refusal: refusal.row)
    if report.accepted or report.updated:
        audit.record(session, actor=taker, action="hotline.take", target=f"source:{source[:32]}",
                     detail=f"{report.accepted} new, {report.updated} updated, {len(report.refused)} refused", at=now)
    return report


def file_order(session: Session, event: Event, intake: Intake, *, limits: HotlineLimits,
               taker: Principal | None) -> WorkOrder:
    """The work order of a stored `event` (new or updated), its deadlines set and its text's terms cut; with a
    `taker`, a reported event is registered at the time it was taken. An order reopened by a follow-up keeps its new deadlines."""
    order = session.get(WorkOrder, event.id)
    if order is None:
        order = WorkOrder(event_id=event.id, token=intake.token or _token(event), reopened=0)
        session.add(order)
    order.channel, order.urgency, order.caller_key = intake.channel, intake.urgency, intake.caller_key
    order.media_url, order.email = intake.media_url or order.media_url, intake.email or order.email
    order.device_id, order.account_id = intake.device_id or order.device_id, intake.account_id or order.account_id
    if not order.reopened:
        order.reply_due_at, event.sla_due_at = limits.due(event.category, intake.urgency, event.reported_at)
    file_terms(order, event)
    if taker is not None and event.status == "reported":
        transition(session, event.id, "registered", principal=taker, now=event.reported_at)
    session.flush()
    return order


def flag_repeats(session: Session, events: Sequence[Event], *, ignore: frozenset[str] = frozenset()) -> None:
    """Set `repeat_of` on the orders of `events` that repeat an earlier order (of the caller or of the place, in
    the last REPEAT_DAYS days); an order that repeats none keeps what it had."""
    if not events:
        return
    ours = {event.id for event in events}
    keys = {key for key in session.scalars(select(WorkOrder.caller_key).where(WorkOrder.event_id.in_(ours))) if key}
    located = [(event.lon, event.lat) for event in events if event.lon is not None and event.lat is not None]
    margin = 2 * REPEAT_METERS / METERS_PER_DEGREE  # in degrees of latitude; longitude's are wider: twice that
    reach: list[ColumnElement[bool]] = [WorkOrder.caller_key.in_(sorted(keys))] if keys else []
    if located:
        lons, lats = [lon for lon, _ in located], [lat for _, lat in located]
        reach.append(and_(Event.lon.between(min(lons) - 2 * margin, max(lons) + 2 * margin),
                          Event.lat.between(min(lats) - margin, max(lats) + margin)))
    if not reach:
        return
    query = (select(Event.id, Event.category, Event.subcategory, Event.title, Event.description, Event.reported_at,
                    Event.lon, Event.lat, WorkOrder.caller_key)
             .join(WorkOrder, WorkOrder.event_id == Event.id)
             .where(Event.category.in_({event.category for event in events}),
                    Event.reported_at >= min(event.reported_at for event in events) - timedelta(days=REPEAT_DAYS),
                    Event.reported_at <= max(event.reported_at for event in events), or_(*reach)))
    orders = [Order(id=row.id, category=row.category, subcategory=row.subcategory, at=row.reported_at,
                    text=" ".join(filter(None, (row.title, row.description))), caller=row.caller_key, lon=row.lon,
                    lat=row.lat) for row in session.execute(query)]
    for repeat in find_repeats(orders, days=REPEAT_DAYS, meters=REPEAT_METERS, ignore=ignore):
        if repeat.order in ours:
            order = session.get(WorkOrder, repeat.order)
            if order is not None:
                order.repeat_of = repeat.repeats
    session.flush()


def caller_key(phone: str | None, secret_key: str) -> str | None:
    """The caller's key: the keyed hash calls keep of the same number, so an order and its calls match."""
    return applicant_key(phone, secret_key) if phone and phone.strip() else None


def _intake(fields: Mapping[str, Any], secret_key: str) -> Intake:
    if MALFORMED in fields:
        raise RowRefused("row", str(fields[MALFORMED]))
    channel = one_of(fields, "channel", CHANNELS, required=True, aliases=CHANNEL_ALIASES)
    urgency = one_of(fields, "urgency", URGENCIES, aliases=URGENCY_ALIASES) or "ordinary"
    phone = fields.get("reporter_phone")
    assert channel is not None
    return Intake(channel=channel, urgency=urgency,
                  caller_key=caller_key(str(phone) if phone is not None else None, secret_key))


def _events(session: Session, source: str, external_ids: list[str]) -> list[Event]:
    found: list[Event] = []
    for start in range(0, len(external_ids), 1000):
        found += session.scalars(select(Event).where(Event.source == source,
                                                     Event.external_id.in_(external_ids[start:start + 1000]))
                                 .execution_options(populate_existing=True))
    return found


def _token(event: Event) -> str:
    """A work order's Open311 token: unique, and stable for the same event."""
    return f"wo-{event.id}"


def place_words(city: City) -> frozenset[str]:
    """The district names: they say where, not what, so they do not make two texts alike."""
    return frozenset(city.names("zh-CN").values()) | frozenset(city.names("en").values())
