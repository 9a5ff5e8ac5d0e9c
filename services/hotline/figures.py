"""What the /hotline page shows of the work orders, aggregated in SQL: one filter (period, districts, categories,
channels) within the caller's scope, and only grouped rows ever leave the database.

Definitions (the page's words, one place):
- on-time reply: replied by `reply_due_at`, among orders whose reply is in or due (replied, or past the due time);
- on-time close: closed by the event's `sla_due_at`, among orders closed or past that time;
- satisfaction (满意率): satisfied + basically satisfied among the reached 回访 that gave a verdict;
- overdue: still open and past `sla_due_at` at `now`;
- a repeat: an order flagged `repeat_of` an earlier one (services/hotline/repeats);
- a department's orders: the orders dispatched to it and not returned by it (退单 hands the order back, so its
  lateness is no longer that department's).

Every query is cached per (scope, filter, now to the minute) in the `hotline` namespace, which a write to the
orders, events, dispatches, calls or supervisions invalidates. The tiles, the volume by hour, the top categories,
the hot spots and the departments read the hourly rollup (services/hotline/rollup: cells, and the pending orders
for what the clock decides) for the filter's whole hours, and the orders themselves only for the partial hours at
its edges (and, but for the departments, for a department's scope). There, at 3 M orders on PostgreSQL, the
period filter uses `ix_events_reported_at` (and `ix_events_category_reported` with categories) and joins
`work_orders` by its key; the departments' query joins `event_dispatches` through
`ix_dispatches_event_department`. Hot topics count the orders' stored terms (services/hotline/terms), on
PostgreSQL in the database.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import astuple, dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select, text, union_all
from sqlalchemy.orm import Session

from services.access import CITY_WIDE, Scope
from services.approvals.queries import epoch
from services.events.queries import FINISHED, EventFilter, conditions, rows_frame
from services.hotline import terms as order_terms
from services.hotline.calls import CallFigures, call_figures
from services.hotline.intake import CHANNELS
from services.hotline.open311 import CHANNEL as OPEN311_CHANNEL
from services.hotline.orders import SATISFACTIONS
from services.hotline.topics import Topic, learn, rising, stamp
from services.store import (
    HOTLINE_MEASURES,
    Event,
    EventDispatch,
    HotlineDepartmentRollup,
    HotlineGridRollup,
    HotlinePending,
    HotlineRollup,
    WorkOrder,
)
from services.store.cache import Namespace, cached

CACHE = Namespace("hotline", tables=("events", "event_dispatches", "work_orders", "hotline_calls", "supervisions"),
                  lifetime=60)
TOPICS_CACHE = Namespace("hotline_topics", tables=("events", "work_orders"), lifetime=600)
ORDER_CHANNELS = (*CHANNELS, OPEN311_CHANNEL)  # the agents' channels and Open311's own
DEPARTMENT_COUNTS = ("orders", "overdue", "dissatisfied", "repeats", "returned")
MIN_RANKED = 5  # a department with fewer orders in the period is listed, not ranked
TOPIC_WEEK = timedelta(days=7)
HOUR = 3600
TOPIC_TEXTS = 200_000  # at most this many texts a week are segmented (the newest)


@dataclass(frozen=True)
class HotlineFilter:
    """The page's view: orders reported in [start, end), in these districts, categories and channels (empty: any)."""

    start: datetime
    end: datetime
    district: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    channel: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("start/end: give times with a zone")
        if self.end <= self.start:
            raise ValueError("end: must be after start")
        bad = [c for c in self.channel if c not in ORDER_CHANNELS]
        if bad:
            raise ValueError(f"channel: unknown value(s) {', '.join(bad)} ({', '.join(ORDER_CHANNELS)})")


@dataclass(frozen=True)
class OrderSummary:
    orders: int
    reply_judged: int  # replied, or past the reply due time
    replied_on_time: int
    close_judged: int
    closed_on_time: int
    followed_up: int
    rated: int  # reached, with a verdict
    satisfied: int
    basic: int
    dissatisfied: int
    overdue: int
    repeats: int

    @property
    def on_time_reply(self) -> float | None:
        return self.replied_on_time / self.reply_judged if self.reply_judged else None

    @property
    def on_time_close(self) -> float | None:
        return self.closed_on_time / self.close_judged if self.close_judged else None

    @property
    def satisfaction(self) -> float | None:
        return (self.satisfied + self.basic) / self.rated if self.rated else None


def where(filters: HotlineFilter, scope: Scope) -> list[ColumnElement[bool]]:
    """The filter's clauses on events joined to their work orders (the events' own, reused, plus the channel)."""
    clauses = conditions(EventFilter(category=filters.category, district=filters.district, start=filters.start,
                                     end=filters.end), scope)
    if filters.channel:
        clauses.append(WorkOrder.channel.in_(filters.channel))
    return clauses


def orders_select() -> Any:
    return select().select_from(Event).join(WorkOrder, WorkOrder.event_id == Event.id)


def count_of(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def flag_of(condition: ColumnElement[bool]) -> Any:
    """1 when any row of the group meets `condition`, else 0."""
    return func.max(case((condition, 1), else_=0))


def is_overdue(now: datetime) -> ColumnElement[bool]:
    return and_(Event.status.not_in(FINISHED), Event.sla_due_at < now)


def index_joins(session: Session) -> None:
    """On PostgreSQL, plan this transaction's queries for data in memory: the period's orders are found by
    `ix_events_reported_at` and joined to `work_orders` by its key, a nested loop of index lookups (~0.2 s for a
    week of 50 000 orders among 3 M). With the defaults for spinning disks (random_page_cost 4), the planner
    hashes the whole `work_orders` table instead (~2.4 s, with JIT, which every session now runs without:
    `services.store.engine`); and a month's (order, department) pairs sort in memory, not on disk. SET LOCAL ends
    with the transaction (the callback's session), so nothing else is planned this way."""
    if session.get_bind().dialect.name == "postgresql":
        for setting in ("random_page_cost = 1.1", "work_mem = '32MB'"):
            session.execute(text(f"SET LOCAL {setting}"))


def minute(now: datetime | None) -> datetime:
    """`now` to the minute (the cache key: one entry serves the minute's calls)."""
    return (now or datetime.now(UTC)).replace(second=0, microsecond=0)


def whole_hours(filters: HotlineFilter, scope: Scope) -> tuple[int, int] | None:
    """The filter's whole UTC hours as epoch seconds [first, last), which the rollup answers; None when it has
    none, or for a department's scope (only the departments' cells know departments)."""
    first = math.ceil(filters.start.timestamp() / HOUR) * HOUR
    last = math.floor(filters.end.timestamp() / HOUR) * HOUR
    return (first, last) if first < last and not scope.departments else None


def edges(filters: HotlineFilter, hours: tuple[int, int] | None) -> list[HotlineFilter]:
    """The parts of the filter outside `hours` (its partial hours), read from the orders themselves."""
    if hours is None:
        return [filters]
    first, last = (datetime.fromtimestamp(h, UTC) for h in hours)
    return [replace(filters, start=a, end=b) for a, b in ((filters.start, first), (last, filters.end)) if a < b]


def cell_where(table: type[HotlineRollup] | type[HotlineDepartmentRollup] | type[HotlineGridRollup]
               | type[HotlinePending], filters: HotlineFilter, scope: Scope,
               hours: tuple[int, int]) -> list[ColumnElement[bool]]:
    """The filter's clauses on rollup cells or pending rows of `hours`."""
    clauses = [table.hour >= hours[0], table.hour < hours[1], scope.district_filter(table.district)]
    for column, values in ((table.district, filters.district), (table.category, filters.category),
                           (table.channel, filters.channel)):
        if values:
            clauses.append(column.in_(values))
    return clauses


def summary(*, session: Session, filters: HotlineFilter, scope: Scope = CITY_WIDE,
            now: datetime | None = None) -> OrderSummary:
    """The period's counts behind the page's tiles: the rollup's cells and pending orders for its whole hours, the
    orders themselves for the partial hours at its edges (or all of it, for a department's scope)."""
    moment = minute(now)

    def compute() -> OrderSummary:
        index_joins(session)
        hours = whole_hours(filters, scope)
        parts = [raw_summary(session, edge, scope, moment) for edge in edges(filters, hours)]
        if hours is not None:
            parts.append(rolled_summary(session, filters, scope, moment, hours))
        return OrderSummary(*(sum(values) for values in zip(*(astuple(part) for part in parts), strict=True)))

    return cached(session, CACHE, "summary", scope.key, (filters, moment), compute)


def raw_summary(session: Session, filters: HotlineFilter, scope: Scope, moment: datetime) -> OrderSummary:
    """The summary counted over the orders themselves, in one scan."""
    replied = WorkOrder.replied_at.is_not(None)
    reply_judged = and_(WorkOrder.reply_due_at.is_not(None), or_(replied, WorkOrder.reply_due_at < moment))
    closed = Event.status == "closed"
    close_judged = and_(Event.sla_due_at.is_not(None), or_(closed, Event.sla_due_at < moment))
    rated = and_(WorkOrder.reached.is_(True), WorkOrder.satisfaction.in_(SATISFACTIONS))
    row = session.execute(orders_select().add_columns(
        func.count(), count_of(reply_judged),
        count_of(and_(replied, WorkOrder.replied_at <= WorkOrder.reply_due_at)),
        count_of(close_judged), count_of(and_(closed, Event.closed_at <= Event.sla_due_at)),
        count_of(WorkOrder.followed_up_at.is_not(None)), count_of(rated),
        *(count_of(and_(rated, WorkOrder.satisfaction == verdict)) for verdict in SATISFACTIONS),
        count_of(is_overdue(moment)), count_of(WorkOrder.repeat_of.is_not(None)),
    ).where(*where(filters, scope))).one()
    return OrderSummary(*(int(value) for value in row))


def rolled_summary(session: Session, filters: HotlineFilter, scope: Scope, moment: datetime,
                   hours: tuple[int, int]) -> OrderSummary:
    """The summary of whole `hours` from the rollup: its cells' clock-free counts, and the pending orders' due
    times against `moment`."""
    c = HotlineRollup
    cells = session.execute(select(*(func.coalesce(func.sum(getattr(c, name)), 0) for name in HOTLINE_MEASURES))
                            .where(*cell_where(c, filters, scope, hours))).one()
    p = HotlinePending
    late = session.execute(select(
        count_of(p.reply_due_at < moment), count_of(p.sla_due_at < moment),
        count_of(and_(p.open.is_(True), p.sla_due_at < moment))).where(*cell_where(p, filters, scope, hours))).one()
    got = dict(zip(HOTLINE_MEASURES, (int(v) for v in cells), strict=True))
    reply_late, close_late, overdue = (int(v) for v in late)
    return OrderSummary(
        orders=got["orders"], reply_judged=got["replied_with_due"] + reply_late,
        replied_on_time=got["replied_on_time"], close_judged=got["closed_with_sla"] + close_late,
        closed_on_time=got["closed_on_time"], followed_up=got["followed_up"], rated=got["rated"],
        satisfied=got["satisfied"], basic=got["basic"], dissatisfied=got["dissatisfied"], overdue=overdue,
        repeats=got["repeats"])


def period_calls(*, session: Session, filters: HotlineFilter) -> CallFigures:
    """The telephone system's figures for the period (calls carry no district: the same for every scope)."""
    return cached(session, CACHE, "calls", None, (filters.start, filters.end),
                  lambda: call_figures(session, filters.start, filters.end))


def volume(*, session: Session, filters: HotlineFilter, scope: Scope = CITY_WIDE) -> pd.DataFrame:
    """Orders per hour and channel: (hour as a UTC timestamp, channel, orders), hours in order."""

    def compute() -> pd.DataFrame:
        index_joins(session)
        hours = whole_hours(filters, scope)
        hour = (epoch(session, Event.reported_at) // HOUR).label("hour")
        parts = [orders_select().add_columns(hour, WorkOrder.channel.label("channel"), func.count().label("orders"))
                 .where(*where(edge, scope)).group_by(hour, WorkOrder.channel) for edge in edges(filters, hours)]
        if hours is not None:
            c = HotlineRollup
            parts.append(select((c.hour // HOUR).label("hour"), c.channel.label("channel"),
                                func.sum(c.orders).label("orders"))
                         .where(*cell_where(c, filters, scope, hours)).group_by(c.hour, c.channel))
        u = union_all(*parts).subquery()
        query = select(u.c.hour, u.c.channel, func.sum(u.c.orders)).group_by(u.c.hour, u.c.channel).order_by(
            u.c.hour, u.c.channel)
        frame = rows_frame(session, query, ["hour", "channel", "orders"])
        frame["hour"] = pd.to_datetime(frame["hour"].astype("int64") * 3600, unit="s", utc=True)
        return frame.astype({"orders": "int64"})

    return cached(session, CACHE, "volume", scope.key, filters, compute)


def top_categories(*, session: Session, filters: HotlineFilter, scope: Scope = CITY_WIDE,
                   top: int = 10) -> pd.DataFrame:
    """The `top` categories by orders: (category, orders), most first."""

    def compute() -> pd.DataFrame:
        index_joins(session)
        hours = whole_hours(filters, scope)
        parts = [orders_select().add_columns(Event.category.label("category"), func.count().label("orders"))
                 .where(*where(edge, scope)).group_by(Event.category) for edge in edges(filters, hours)]
        if hours is not None:
            c = HotlineRollup
            parts.append(select(c.category.label("category"), func.sum(c.orders).label("orders"))
                         .where(*cell_where(c, filters, scope, hours)).group_by(c.category))
        u = union_all(*parts).subquery()
        orders = func.sum(u.c.orders).label("orders")
        query = (select(u.c.category, orders).group_by(u.c.category).order_by(orders.desc(), u.c.category)
                 .limit(top))
        return rows_frame(session, query, ["category", "orders"]).astype({"orders": "int64"})

    return cached(session, CACHE, "top_categories", scope.key, (filters, top), compute)


def hot_spots(*, session: Session, filters: HotlineFilter, scope: Scope = CITY_WIDE, top: int = 10) -> pd.DataFrame:
    """Grid cells with repeated requests: (grid, district, orders, repeats) for the `top` cells with the most
    repeats (then orders), cells without a repeat left out."""

    def compute() -> pd.DataFrame:
        index_joins(session)
        hours = whole_hours(filters, scope)
        parts = [orders_select().add_columns(Event.grid.label("grid"), func.min(Event.district).label("district"),
                                             func.count().label("orders"),
                                             count_of(WorkOrder.repeat_of.is_not(None)).label("repeats"))
                 .where(*where(edge, scope), Event.grid.is_not(None)).group_by(Event.grid)
                 for edge in edges(filters, hours)]
        if hours is not None:
            c = HotlineGridRollup
            parts.append(select(c.grid.label("grid"), func.min(func.nullif(c.district, "")).label("district"),
                                func.sum(c.orders).label("orders"), func.sum(c.repeats).label("repeats"))
                         .where(*cell_where(c, filters, scope, hours)).group_by(c.grid))
        u = union_all(*parts).subquery()
        repeats, orders = func.sum(u.c.repeats).label("repeats"), func.sum(u.c.orders).label("orders")
        query = (select(u.c.grid, func.min(u.c.district), orders, repeats).group_by(u.c.grid)
                 .having(repeats > 0).order_by(repeats.desc(), orders.desc(), u.c.grid).limit(top))
        frame = rows_frame(session, query, ["grid", "district", "orders", "repeats"])
        return frame.astype({"orders": "int64", "repeats": "int64"})

    return cached(session, CACHE, "hot_spots", scope.key, (filters, top), compute)


def departments(*, session: Session, filters: HotlineFilter, scope: Scope = CITY_WIDE, now: datetime | None = None,
                min_orders: int = MIN_RANKED) -> pd.DataFrame:
    """Per department (the orders it holds: dispatched to it and not all returned): orders, overdue,
    dissatisfied, repeats, and returned (the orders it returned at least once, 退单),
    the overdue and dissatisfied rates, and `rank`: worst first by overdue rate, then dissatisfied rate, then
    orders; departments under `min_orders` come after, unranked (rank missing)."""
    moment = minute(now)

    def compute() -> pd.DataFrame:
        index_joins(session)
        hours = whole_hours(filters, CITY_WIDE)  # the rollup keeps departments: any scope can read it
        parts = [raw_departments(edge, scope, moment) for edge in edges(filters, hours)]
        if hours is not None:
            parts += rolled_departments(session, filters, scope, moment, hours)
        u = union_all(*parts).subquery()
        query = select(u.c.department, *(func.sum(u.c[c]) for c in DEPARTMENT_COUNTS)).group_by(u.c.department)
        frame = rows_frame(session, query, ["department", *DEPARTMENT_COUNTS])
        return ranked(frame.astype({c: "int64" for c in DEPARTMENT_COUNTS}), min_orders)

    return cached(session, CACHE, "departments", scope.key, (filters, moment, min_orders), compute)


def raw_departments(filters: HotlineFilter, scope: Scope, moment: datetime) -> Any:
    """The departments' counts over the orders themselves: one row per (order, department) of the period's
    orders first (the filter narrows by index before any grouping), then summed per department: a department
    holds an order while one of its dispatches is not returned, and has returned it when one is."""
    pairs = (orders_select().add_columns(
        EventDispatch.department.label("department"),
        flag_of(EventDispatch.status != "returned").label("held"),
        flag_of(EventDispatch.status == "returned").label("returned"),
        flag_of(is_overdue(moment)).label("overdue"),
        flag_of(WorkOrder.satisfaction == "dissatisfied").label("dissatisfied"),
        flag_of(WorkOrder.repeat_of.is_not(None)).label("repeat"),
    ).join(EventDispatch, EventDispatch.event_id == Event.id)
        .where(*where(filters, scope), scope.department_filter(EventDispatch.department))
        .group_by(Event.id, EventDispatch.department).subquery())
    held = pairs.c.held == 1
    return select(pairs.c.department, count_of(held).label("orders"),
                  count_of(and_(held, pairs.c.overdue == 1)).label("overdue"),
                  count_of(and_(held, pairs.c.dissatisfied == 1)).label("dissatisfied"),
                  count_of(and_(held, pairs.c.repeat == 1)).label("repeats"),
                  count_of(pairs.c.returned == 1).label("returned")).group_by(pairs.c.department)


def rolled_departments(session: Session, filters: HotlineFilter, scope: Scope, moment: datetime,
                       hours: tuple[int, int]) -> list[Any]:
    """The departments' counts of whole `hours`: the rollup's cells, and the overdue orders among the pending
    ones (still open past their time limit at `moment`), each held by the departments not all of whose
    dispatches returned it. A department's scope keeps its own rows (an order counted for a department has a
    dispatch to it, which the scope's filter asks for)."""
    c = HotlineDepartmentRollup
    zero = literal(0)
    cells = (select(c.department.label("department"), func.sum(c.held).label("orders"), zero.label("overdue"),
                    func.sum(c.dissatisfied).label("dissatisfied"), func.sum(c.repeats).label("repeats"),
                    func.sum(c.returned).label("returned"))
             .where(*cell_where(c, filters, scope, hours), scope.department_filter(c.department))
             .group_by(c.department))
    p = HotlinePending
    late = (select(EventDispatch.department.label("department")).select_from(p)
            .join(EventDispatch, EventDispatch.event_id == p.event_id)
            .where(*cell_where(p, filters, scope, hours), p.open.is_(True), p.sla_due_at < moment,
                   scope.department_filter(EventDispatch.department))
            .group_by(p.event_id, EventDispatch.department)
            .having(flag_of(EventDispatch.status != "returned") == 1).subquery())
    overdue = select(late.c.department, zero.label("orders"), func.count().label("overdue"),
                     zero.label("dissatisfied"), zero.label("repeats"), zero.label("returned")).group_by(
        late.c.department)
    return [cells, overdue]


def ranked(frame: pd.DataFrame, min_orders: int) -> pd.DataFrame:
    """`frame` (department, orders, overdue, dissatisfied, …) with rates and a rank, worst first."""
    out = frame.copy()
    orders = out["orders"].where(out["orders"] > 0)
    out["overdue_rate"] = (out["overdue"] / orders).astype(float)
    out["dissatisfied_rate"] = (out["dissatisfied"] / orders).astype(float)
    out["eligible"] = out["orders"] >= min_orders
    out = out.sort_values(["eligible", "overdue_rate", "dissatisfied_rate", "orders", "department"],
                          ascending=[False, False, False, False, True], na_position="last").reset_index(drop=True)
    out["rank"] = pd.Series(range(1, len(out) + 1), dtype="Int64").where(out["eligible"].to_numpy())
    return out.drop(columns="eligible")


def topics(*, session: Session, filters: HotlineFilter, scope: Scope = CITY_WIDE, top: int = 10,
           vocabulary: tuple[str, ...] = (), ignore: frozenset[str] = frozenset()) -> list[Topic]:
    """Hot topics: terms of the week before `filters.end` rising against the week before it (services/hotline
    /topics), among the filter's orders (a week's newest TOPIC_TEXTS at most), `ignore` left out (the place
    names); counted from the orders' stored terms (services/hotline/terms: an order not yet cut, or cut with
    another vocabulary, is cut now), cached ten minutes. `vocabulary` teaches the process-wide segmenter phrases
    to keep whole (which re-cuts the stored terms as they are read); the page teaches it none: the repeat finder
    cuts texts with it too, and learning the pack's phrases lowers its recall."""

    def counts(start: datetime, end: datetime) -> tuple[Counter[str], int]:
        week = HotlineFilter(start, end, filters.district, filters.category, filters.channel)
        return order_terms.document_counts(session, order_terms.week_rows(
            orders_select().where(*where(week, scope)).order_by(Event.reported_at.desc()).limit(TOPIC_TEXTS)))

    def compute() -> list[Topic]:
        index_joins(session)
        learn(vocabulary)
        middle = filters.end - TOPIC_WEEK
        (now, texts), (before, texts_before) = counts(middle, filters.end), counts(middle - TOPIC_WEEK, middle)
        return rising(now, texts, before, texts_before, top=top, ignore=ignore)

    return cached(session, TOPICS_CACHE, "topics", scope.key, (filters, top, vocabulary, ignore, stamp()), compute)
