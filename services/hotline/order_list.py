"""The orders behind a number of the /hotline page (the drill): one page of them sorted in SQL for the grid, or
all of them (capped) for an export. Reporter name and phone come unmasked: the page masks by the caller's role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, and_, exists, false, func, or_
from sqlalchemy.orm import Session, aliased

from services.access import CITY_WIDE, Scope
from services.events.queries import rows_frame
from services.hotline.figures import HotlineFilter, index_joins, is_overdue, minute, orders_select, where
from services.hotline.orders import SATISFACTIONS
from services.store import Event, EventDispatch, WorkOrder

ORDER_COLUMNS = ("id", "reported_at", "channel", "urgency", "category", "subcategory", "district", "grid", "status",
                 "reply_due_at", "replied_at", "sla_due_at", "closed_at", "satisfaction", "repeat_of", "address",
                 "reporter_name", "reporter_phone")
_ORDER_SIDE = {"channel", "urgency", "reply_due_at", "replied_at", "satisfaction", "repeat_of"}
PII_COLUMNS = ("reporter_name", "reporter_phone")
DRILLS = ("all", "category", "channel", "hour", "grid", "department", "department_overdue",
          "department_dissatisfied", "department_repeats", "department_returned", "topic", "overdue", "repeats",
          "replied_late", "closed_late", "satisfaction", "followed_up")
EXPORT_LIMIT = 100_000


@dataclass(frozen=True)
class Drill:
    """Which orders: `kind` names the number clicked, `value` its key (a category or channel code, an hour's UTC
    start in ISO form, a grid cell, a department code, a term, a 回访 verdict), `channel` narrows an hour."""

    kind: str = "all"
    value: str = ""
    channel: str = ""

    def __post_init__(self) -> None:
        if self.kind not in DRILLS:
            raise ValueError(f"drill: unknown kind {self.kind!r} ({', '.join(DRILLS)})")
        if self.kind not in ("all", "overdue", "repeats", "replied_late", "closed_late", "followed_up") \
                and not self.value:
            raise ValueError(f"drill: {self.kind} needs a value")
        if self.kind == "satisfaction" and self.value not in SATISFACTIONS:
            raise ValueError(f"drill: satisfaction is one of {', '.join(SATISFACTIONS)}")
        if self.kind == "hour":
            try:
                datetime.fromisoformat(self.value)
            except ValueError:
                raise ValueError(f"drill: hour {self.value!r} is not an ISO time") from None


@dataclass(frozen=True)
class OrderPage:
    rows: pd.DataFrame
    total: int


def _held_by(department: str, *, returned: bool = False) -> ColumnElement[bool]:
    dispatch = aliased(EventDispatch)
    status = dispatch.status == "returned" if returned else dispatch.status != "returned"
    return exists().where(dispatch.event_id == Event.id, dispatch.department == department, status)


def drill_clauses(drill: Drill, now: datetime) -> list[ColumnElement[bool]]:
    """The WHERE clauses of a drill, the same definitions as the figures' (services/hotline/figures)."""
    kind, value = drill.kind, drill.value
    replied = WorkOrder.replied_at.is_not(None)
    simple: dict[str, ColumnElement[bool]] = {
        "overdue": is_overdue(now), "repeats": WorkOrder.repeat_of.is_not(None),
        "followed_up": WorkOrder.followed_up_at.is_not(None),
        "replied_late": and_(WorkOrder.reply_due_at.is_not(None),
                             or_(and_(replied, WorkOrder.replied_at > WorkOrder.reply_due_at),
                                 and_(~replied, WorkOrder.reply_due_at < now))),
        "closed_late": and_(Event.sla_due_at.is_not(None),
                            or_(and_(Event.status == "closed", Event.closed_at > Event.sla_due_at),
                                and_(Event.status != "closed", Event.sla_due_at < now))),
    }
    if kind == "all":
        return []
    if kind in simple:
        return [simple[kind]]
    if kind == "category":
        return [Event.category == value]
    if kind == "channel":
        return [WorkOrder.channel == value]
    if kind == "grid":
        return [Event.grid == value]
    if kind == "topic":
        return [or_(Event.description.contains(value, autoescape=True), Event.title.contains(value, autoescape=True))]
    if kind == "satisfaction":
        return [WorkOrder.reached.is_(True), WorkOrder.satisfaction == value]
    if kind == "hour":
        start = datetime.fromisoformat(value)
        clauses = [Event.reported_at >= start, Event.reported_at < start + timedelta(hours=1)]
        return clauses + ([WorkOrder.channel == drill.channel] if drill.channel else [])
    if kind == "department_returned":
        return [_held_by(value, returned=True)]
    extra = {"department": None, "department_overdue": is_overdue(now),
             "department_dissatisfied": WorkOrder.satisfaction == "dissatisfied",
             "department_repeats": WorkOrder.repeat_of.is_not(None)}.get(kind, false())
    return [_held_by(value)] + ([] if extra is None else [extra])


def _columns() -> list[Any]:
    return [getattr(WorkOrder if c in _ORDER_SIDE else Event, c) for c in ORDER_COLUMNS]


def _query(filters: HotlineFilter, drill: Drill, scope: Scope, now: datetime) -> Any:
    return orders_select().add_columns(*_columns()).where(*where(filters, scope), *drill_clauses(drill, now))


def order_page(*, session: Session, filters: HotlineFilter, drill: Drill = Drill(), scope: Scope = CITY_WIDE,
               offset: int = 0, limit: int = 25, sort_by: str = "reported_at", descending: bool = True,
               now: datetime | None = None) -> OrderPage:
    """One block of the drilled orders, sorted in SQL (ties by id), with their total; ValueError names a bad field."""
    if sort_by not in ORDER_COLUMNS or sort_by in PII_COLUMNS:
        raise ValueError(f"sort_by: {sort_by!r} is not a sortable column")
    if offset < 0 or not 0 < limit <= 1_000:
        raise ValueError("offset/limit: offset must be ≥ 0 and limit between 1 and 1000")
    moment = minute(now)
    index_joins(session)
    total = int(session.execute(orders_select().add_columns(func.count()).where(
        *where(filters, scope), *drill_clauses(drill, moment))).scalar_one())
    column = getattr(WorkOrder if sort_by in _ORDER_SIDE else Event, sort_by)
    order = [column.desc() if descending else column.asc(), Event.id.desc() if descending else Event.id.asc()]
    query = _query(filters, drill, scope, moment).order_by(*order).offset(offset).limit(limit)
    return OrderPage(rows_frame(session, query, ORDER_COLUMNS), total)


def order_rows(*, session: Session, filters: HotlineFilter, drill: Drill = Drill(), scope: Scope = CITY_WIDE,
               now: datetime | None = None, limit: int = EXPORT_LIMIT) -> pd.DataFrame:
    """The drilled orders for an export, newest first, at most `limit`."""
    index_joins(session)
    query = _query(filters, drill, scope, minute(now)).order_by(Event.reported_at.desc(), Event.id.desc())
    return rows_frame(session, query.limit(limit), ORDER_COLUMNS)

