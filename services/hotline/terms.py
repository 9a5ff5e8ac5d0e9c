"""Each work order's terms, cut once on arrival and stored, so a week's hot topics count stored words instead of
segmenting 50 000 texts (about 9 s cold) on every view.

`work_orders.terms` holds the distinct words of the order's text (its event's description, else its title) worth
counting, space-separated (a term is letters and digits, never a space), the caller's place names not removed:
the reader passes them and drops them from the counts. `work_orders.terms_cut` is the `topics.stamp()` they were
cut with. Every path that files an order writes both (intake.file_order, the demo's and the bench's bulk loads via
`cut_all`); an order read with no terms, or terms of another stamp (a store migrated by 0020, a new jieba, stop
list or taught phrase), is cut when read and its terms stored then, in a short transaction of their own: the first
view after such a change pays once, the next ones read.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    Text,
    bindparam,
    case,
    func,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from services.hotline.topics import stamp, words
from services.store import Event, WorkOrder
from services.store.invalidation import WRITTEN_KEY

log = logging.getLogger(__name__)


def cut(text: str | None) -> str:
    """A text's terms as stored: distinct, sorted, space-separated ("" for a text with none)."""
    return " ".join(sorted(words(text or "")))


def text_of(description: str | None, title: str | None) -> str:
    """The text an order's terms are cut from, as `order_text()` selects it."""
    return description if description is not None else (title or "")


def order_text() -> ColumnElement[str]:
    return func.coalesce(Event.description, Event.title, "")


def file_terms(order: WorkOrder, event: Event) -> None:
    """Cut the order's text now (on arrival, or when its event's text changed)."""
    order.terms, order.terms_cut = cut(text_of(event.description, event.title)), stamp()


def cut_all(texts: Iterable[str | None]) -> tuple[list[str], str]:
    """The stored terms of many texts (a bulk load's), each distinct text cut once; and their stamp."""
    seen: dict[str | None, str] = {}
    return [seen[text] if text in seen else seen.setdefault(text, cut(text)) for text in texts], stamp()


def week_rows(orders: Select[Any]) -> Select[Any]:
    """`orders` (a select of the week's orders, newest first, limited) with what counting needs: (event id,
    stored terms, the text when those are missing or of another stamp, else NULL: no text is read)."""
    stale = case((WorkOrder.terms_cut == stamp(), None), else_=order_text())
    return orders.add_columns(WorkOrder.event_id, func.coalesce(WorkOrder.terms, "").label("terms"),
                              stale.label("stale"))


def document_counts(session: Session, week: Select[Any]) -> tuple[Counter[str], int]:
    """How many of the `week_rows` orders use each term, and how many orders there are: the stored terms counted,
    by the database where it can (PostgreSQL: one statement, only a row per term leaves it), and the stale orders'
    texts cut now (and stored, see `_store`)."""
    if session.get_bind().dialect.name != "postgresql":
        rows = session.execute(week).all()
        return _counted(session, ((None, 1, *row) for row in rows), len(rows))
    orders = week.cte("week_orders")
    words = select(func.unnest(func.string_to_array(orders.c.terms, " ")).label("term")).where(
        orders.c.stale.is_(None)).subquery()
    nothing = null().cast(Text)
    query = union_all(
        select(words.c.term, func.count(), null().cast(BigInteger), nothing).group_by(words.c.term),
        select(nothing, func.count(), null().cast(BigInteger), nothing).select_from(orders),
        select(nothing, null().cast(BigInteger), orders.c.event_id, orders.c.stale).where(
            orders.c.stale.is_not(None)))
    rows = session.execute(query).all()
    total = next(int(n) for term, n, event_id, _ in rows if term is None and event_id is None)
    return _counted(session, ((term, n, event_id, "", text) for term, n, event_id, text in rows
                              if term is not None or event_id is not None), total)


def _counted(session: Session, rows: Iterable[tuple[Any, ...]], total: int) -> tuple[Counter[str], int]:
    """Counts from (term or None, its count, event id, stored terms, stale text) rows: a term counted in SQL, or
    an order's stored terms split, or its stale text cut now and stored."""
    counts: Counter[str] = Counter()
    fresh: dict[int, str] = {}
    for term, count, event_id, stored, text in rows:
        if term is not None:
            counts[term] += int(count)
            continue
        if text is not None:
            stored = fresh[event_id] = cut(text)
        counts.update(stored.split())
    if fresh:
        _store(session, fresh)
    return counts, total


def _store(session: Session, fresh: dict[int, str]) -> None:
    """Keep terms cut at read time, on a connection of its own (the reading session never commits). A session
    that has written holds SQLite's lock until it commits: its reads leave the storing to the next reader. Only
    the terms change, which no cached figure reads, so nothing is invalidated."""
    if session.info.get(WRITTEN_KEY) or session.new or session.dirty or session.deleted:
        return
    statement = (update(WorkOrder).where(WorkOrder.event_id == bindparam("order_id"))
                 .values(terms=bindparam("order_terms"), terms_cut=stamp()))
    try:
        with session.get_bind().engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
            conn.execute(statement, [{"order_id": key, "order_terms": value} for key, value in fresh.items()])
    except OperationalError as busy:  # a writer holds the rows: the next reader stores them
        log.info("hotline terms: %d cut at read, not stored (%s)", len(fresh), busy.orig)
