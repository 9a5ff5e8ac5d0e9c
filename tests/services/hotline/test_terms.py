"""Stored terms (services/hotline/terms), on SQLite and PostgreSQL: what is stored equals cutting the text, on
arrival (intake, the demo's bulk orders) and when read (orders with none, or cut with another vocabulary); and the
week's hot topics counted from them equal cutting every text as before."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.citypack import load_pack
from services.config import DEFAULT_PACK
from services.demo import hotline_traffic
from services.demo.hotline_texts import Burst, week_of_calls
from services.demo.simcity import event_rows, sim_city
from services.geo import City
from services.hotline import HotlineFilter, take_orders, topics
from services.hotline.terms import cut, cut_all, text_of
from services.hotline.topics import Topic, _segmenter, forget, hot_topics, learn, stamp, terms
from services.store import Event, WorkOrder
from tests.services.hotline.figures_data import BURST, DISTRICTS, NOW, add_catalog, add_orders
from tests.services.hotline.orders_data import CATEGORIES, LIMITS, ROW, SECRET

PACK = load_pack(DEFAULT_PACK)
PROBLEMS = [name for category in PACK.catalogs.categories for name in category.subcategories]
PLACES = list(PACK.city.names().values())
WEEK = HotlineFilter(NOW - timedelta(days=7), NOW)
IGNORE = frozenset(DISTRICTS.values())


@pytest.fixture(autouse=True)
def untaught() -> Iterator[None]:
    """`learn` teaches the process's one segmenter: each test's lessons end with it."""
    yield
    _segmenter.cache_clear()
    forget()


@pytest.fixture
def stored(session: Session) -> Session:
    """400 orders over a fortnight, added as rows (no terms stored: as a store just migrated by 0020)."""
    add_catalog(session)
    add_orders(session, 400)
    session.commit()
    return session


def _texts(session: Session, start: object, end: object) -> list[str]:
    query = (select(Event.description, Event.title).join(WorkOrder, WorkOrder.event_id == Event.id)
             .where(Event.reported_at >= start, Event.reported_at < end))
    return [text_of(description, title) for description, title in session.execute(query)]


def _old_path(session: Session, top: int = 10, ignore: frozenset[str] = frozenset()) -> list[Topic]:
    """Hot topics as they were computed before terms were stored: every text of both weeks cut."""
    middle = WEEK.end - timedelta(days=7)
    return hot_topics(_texts(session, middle, WEEK.end), _texts(session, middle - timedelta(days=7), middle), top=top,
                      ignore=ignore)


def test_stored_terms_are_the_texts_terms() -> None:
    rng = random.Random(11)
    texts = week_of_calls(rng, 2_000, PROBLEMS, PLACES, Burst("电梯困人", share=0.05)) + ["", "市民反映附近问题"]
    for text in texts:
        assert set(cut(text).split()) == terms(text) and " " not in "".join(terms(text))
    stored, cut_with = cut_all([*texts, None])
    assert stored == [cut(text) for text in texts] + [""] and cut_with == stamp()


def test_the_stamp_names_the_vocabulary() -> None:
    before = stamp()
    assert stamp() == before and len(before) == 16
    learn(["幸福小区"])
    assert stamp() != before
    learn(["幸福小区"])  # nothing new: the same
    taught = stamp()
    _segmenter.cache_clear()
    assert stamp() == before != taught


def test_an_order_taken_stores_its_texts_terms(store: Session, city: City) -> None:
    add = dict(ROW, external_id="12345-0002", description=None)  # no description: the title's terms
    report = take_orders(store, [ROW, add], source="hotline-12345", city=city, categories=CATEGORIES,
                         limits=LIMITS, secret_key=SECRET)
    assert report.refused == []
    store.commit()
    rows = store.execute(select(WorkOrder.terms, WorkOrder.terms_cut, Event.description, Event.title)
                           .join(Event, Event.id == WorkOrder.event_id).order_by(Event.external_id)).all()
    assert [(r.terms, r.terms_cut) for r in rows] == [(cut(str(ROW["description"])), stamp()),
                                                          (cut(str(ROW["title"])), stamp())]
    assert "停水" in rows[0].terms.split()


def test_the_demos_orders_carry_their_texts_terms() -> None:
    sim = sim_city(PACK)
    rng = np.random.default_rng(3)
    codes, geoms = list(PACK.city.adcodes), list(PACK.city.districts.geometry)
    end = NOW.timestamp()
    events, dispatches = event_rows(rng, end - 86_400, end, 300, codes, geoms, 1, sim)
    events["source"] = "hotline"
    orders = hotline_traffic.make_orders(rng, events, dispatches, end, PACK.city.names("zh-CN"), sim, SECRET)
    texts = events.set_index("id").loc[orders["event_id"], "description"]
    assert len(orders) > 200
    assert orders["terms"].tolist() == [cut(text) for text in texts] and set(orders["terms_cut"]) == {stamp()}


def test_hot_topics_from_stored_terms_equal_cutting_every_text(stored: Session) -> None:
    want = _old_path(stored, top=10, ignore=IGNORE)
    assert BURST in [topic.term for topic in want[:3]]
    assert topics(session=stored, filters=WEEK, ignore=IGNORE) == want  # the first read cuts and stores
    kept = stored.execute(select(WorkOrder.terms, WorkOrder.terms_cut, Event.description, Event.title)
                          .join(Event, Event.id == WorkOrder.event_id)
                          .where(Event.reported_at >= WEEK.start - timedelta(days=7))).all()
    assert kept and all(row.terms == cut(text_of(row.description, row.title)) and row.terms_cut == stamp()
                        for row in kept)
    forget()  # a restart: counted from the stored terms alone
    assert topics(session=stored, filters=HotlineFilter(WEEK.start, WEEK.end, channel=("phone", "web")),
                  ignore=IGNORE, top=500) != []
    assert topics(session=stored, filters=WEEK, ignore=IGNORE, top=3) == want[:3]
    assert topics(session=stored, filters=WEEK, top=50) == _old_path(stored, top=50)  # place names now counted


def test_terms_cut_with_another_vocabulary_are_cut_again(stored: Session) -> None:
    topics(session=stored, filters=WEEK, ignore=IGNORE)
    stored.execute(update(WorkOrder).values(terms="陈旧 词语", terms_cut="0000000000000000"))
    stored.commit()
    assert topics(session=stored, filters=WEEK, ignore=IGNORE, top=50) == _old_path(stored, top=50, ignore=IGNORE)
    learn([BURST + "三天"])  # a phrase taught: every stored cut is of another vocabulary now
    taught = topics(session=stored, filters=WEEK, ignore=IGNORE, top=50)
    assert taught == _old_path(stored, top=50, ignore=IGNORE) and BURST + "三天" in [t.term for t in taught]
    assert set(stored.scalars(select(WorkOrder.terms_cut).join(Event, Event.id == WorkOrder.event_id)
                              .where(Event.reported_at >= WEEK.start - timedelta(days=7)))) == {stamp()}


def test_a_session_that_has_written_cuts_but_leaves_the_storing(stored: Session) -> None:
    """Its uncommitted write holds SQLite's lock: storing from another connection would wait for it."""
    first = stored.scalar(select(WorkOrder).limit(1))
    assert first is not None
    first.reply = "已回复"
    stored.flush()
    assert topics(session=stored, filters=WEEK, ignore=IGNORE) == _old_path(stored, ignore=IGNORE)
    stored.rollback()
    assert stored.scalar(select(WorkOrder.event_id).where(WorkOrder.terms.is_not(None)).limit(1)) is None
