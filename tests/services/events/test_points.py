"""The event map's points (services.events.points): packed rows, the incremental base kept by updated_at and held in
the cache with `put`, on both backends."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
import redis
from sqlalchemy import bindparam, select, text

from services.access import CITY_WIDE, Principal, Role
from services.events import points as event_points
from services.events import queries as events
from services.events.lifecycle import transition
from services.events.points import map_points, points
from services.events.queries import (
    SEVERITIES,
    EventFilter,
)
from services.store import (
    District,
    Event,
    UTCDateTime,
    bulkload,
    make_engine,
    make_sessionmaker,
    migrate,
)
from services.store.cache import cache_of
from services.store.shared_cache import RedisQueryCache
from tests.services.events.test_queries import NOW, _event


def _stamps(session, ids: list[int]) -> dict[int, datetime]:
    session.expire_all()
    return dict(session.execute(select(Event.id, Event.updated_at).where(Event.id.in_(ids))).all())


def test_triggers_stamp_updated_at_on_every_insert_and_update(session):
    """Whoever writes (ORM, bulk COPY / executemany, a raw UPDATE), the row's updated_at moves to the moment of the
    write: the points cache relies on it to fetch only what changed."""
    session.add(District(adcode="A", name_zh="A", name_en="A", geometry="{}"))
    before = datetime.now(UTC) - timedelta(seconds=1)
    orm = _event("A", "reported", 30, 1)
    session.add(orm)
    session.commit()
    bulkload.bulk_insert(session.get_bind(), Event, ["category", "source", "severity", "status", "district",
                                                     "out_of_city", "reported_at"],
                         [("traffic", "app", "minor", "reported", "A", False, NOW - timedelta(days=3))])
    ids = list(session.scalars(select(Event.id).order_by(Event.id)))
    inserted = _stamps(session, ids)
    assert all(stamp >= before for stamp in inserted.values())  # not reported_at, which is hours or days older
    time.sleep(0.01)
    session.execute(text("UPDATE events SET status = 'registered' WHERE id = :id"), {"id": ids[0]})
    session.commit()
    updated = _stamps(session, ids)
    assert updated[ids[0]] > inserted[ids[0]] and updated[ids[1]] == inserted[ids[1]]


def test_the_migration_backfills_updated_at_from_reported_at(database_url):
    """Events stored before updated_at existed get their reported_at, so no base mistakes them for new writes."""
    engine = make_engine(database_url)
    migrate(engine, "0007")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO events (category, source, severity, status, out_of_city, reported_at) "
                          "VALUES ('traffic', 'app', 'minor', 'reported', false, :at)")
                     .bindparams(bindparam("at", type_=UTCDateTime())), {"at": NOW})
    migrate(engine)
    with make_sessionmaker(engine)() as session:
        assert session.scalars(select(Event.updated_at)).one() == NOW
    engine.dispose()


@pytest.fixture
def shared_session(engine, redis_client, redis_url):
    """A session carrying the Redis-backed query cache every worker shares, as in production."""
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    with make_sessionmaker(engine, RedisQueryCache(client, prefix="test-events", secret="test"))() as session:
        yield session
    client.close()


VIEWS = [(EventFilter(), 12), (EventFilter(), 100), (EventFilter(status=("open",)), 8),
         (EventFilter(status=("open",)), 100), (EventFilter(district=("A",)), 6),
         (EventFilter(status=("closed", "cancelled")), 100), (EventFilter(district=("B",), status=("open",)), 3)]


def test_incremental_points_equal_a_full_recompute_after_every_kind_of_write(shared_session, monkeypatch):
    """After inserts (ORM and bulk), lifecycle moves, a raw UPDATE, a district change, closes and cancels, the map's
    points (a cached base plus what changed) are exactly what a fresh query returns: ids, order, coordinates and
    codes, and whether the cap cut. Writes that change few rows never run the full query."""
    session = shared_session
    session.add_all([District(adcode=c, name_zh=c, name_en=c, geometry="{}") for c in ("A", "B")])
    statuses = ("reported", "checking", "dispatched", "closed")
    session.add_all([Event(category="traffic", source="app", severity=SEVERITIES[n % 5], status=statuses[n % 4],
                           district="AB"[n % 2], lon=118.0 + n / 1000, lat=24.4 + n / 1000,
                           reported_at=NOW - timedelta(minutes=n // 2)) for n in range(40)])  # ties in time
    session.commit()
    monkeypatch.setattr(event_points, "SAFETY", timedelta(milliseconds=2))  # a real delta, not everything re-fetched
    full_queries: list[int] = []
    full = event_points._full
    monkeypatch.setattr(event_points, "_full", lambda *args: full_queries.append(1) or full(*args))

    def check() -> int:
        """Every view equals a fresh query; returns how many full queries it took."""
        full_queries.clear()
        cache_of(session).invalidate(events.CACHE.tables)  # the front cache (raw SQL and bulk loads are not seen
        # by the session's hooks); the bases stay
        session.expire_all()
        for filters, limit in VIEWS:
            shown = map_points(session=session, filters=filters, limit=limit)
            fresh = points(session=session, filters=filters, limit=limit + 1)
            pd.testing.assert_frame_equal(shown.frame, fresh.iloc[:limit])
            assert shown.capped == (len(fresh) > limit)
        return len(full_queries)

    assert check() == len(VIEWS)  # no base yet
    assert check() == 0
    session.add_all([Event(category="fire", source="app", severity="severe", status="reported", district="A",
                           lon=118.5, lat=24.5, reported_at=NOW + timedelta(minutes=m)) for m in (1, 2, 2)])
    session.commit()
    assert check() == 0
    bulkload.bulk_insert(session.get_bind(), Event, ["category", "source", "severity", "status", "district",
                                                     "out_of_city", "lon", "lat", "reported_at"],
                         [("water", "app", "minor", "reported", d, False, 118.6, 24.6, NOW + timedelta(minutes=m))
                          for d, m in (("B", 3), ("A", -100), ("B", 2))])
    assert check() == 0
    operator = Principal("op1", Role.OPERATOR)
    reported = list(session.scalars(select(Event.id).where(Event.status == "reported").order_by(Event.id)))
    transition(session, reported[0], "registered", principal=operator, now=NOW)
    transition(session, reported[1], "cancelled", principal=operator, comment="duplicate", now=NOW)
    session.commit()
    assert check() == 0
    session.execute(text("UPDATE events SET status = 'in_progress' WHERE status = 'dispatched' AND id % 3 = 0"))
    session.commit()  # a raw UPDATE, as the simulator's `_advance` writes dispatches
    assert check() == 0
    session.execute(text("UPDATE events SET district = 'B' WHERE district = 'A' AND id % 4 = 1"))
    session.commit()
    check()  # a district change may leave a capped district's view short of rows: then it runs the full query
    for event_id in session.scalars(select(Event.id).where(Event.status == "checking")):
        transition(session, event_id, "closed", principal=operator, now=NOW)
    for event_id in session.scalars(select(Event.id).where(Event.status == "reported")):
        transition(session, event_id, "cancelled", principal=operator, comment="spam", now=NOW)
    session.commit()
    check()


def test_a_base_older_than_the_refresh_is_replaced_by_the_view_brought_up_to_date(session, monkeypatch):
    """The bases live in the cache with `put`, never invalidated: after BASE_REFRESH the next computation stores
    the advanced base, so the changes merged on each call stay a few seconds' worth."""
    session.add(District(adcode="A", name_zh="A", name_en="A", geometry="{}"))
    session.add_all([Event(category="traffic", source="app", severity="minor", status="reported", district="A",
                           lon=118.0, lat=24.4, reported_at=NOW - timedelta(minutes=n)) for n in range(5)])
    session.commit()
    cache = cache_of(session)
    key = (EventFilter(), 11 + 11 // event_points.SLACK_SHARE)
    map_points(session=session, limit=10)
    first = cache.get(event_points.BASES, "points_base", CITY_WIDE.key, key)
    assert first is not None and len(first.rows) == 5
    session.add(Event(category="fire", source="app", severity="severe", status="reported", district="A", lon=118.1,
                      lat=24.5, reported_at=NOW))
    session.commit()
    assert len(map_points(session=session, limit=10).frame) == 6
    assert cache.get(event_points.BASES, "points_base", CITY_WIDE.key, key) is first, "within BASE_REFRESH: kept"
    monkeypatch.setattr(event_points, "BASE_REFRESH", 0.0)
    session.add(Event(category="fire", source="app", severity="severe", status="reported", district="A", lon=118.2,
                      lat=24.5, reported_at=NOW))
    session.commit()
    assert len(map_points(session=session, limit=10).frame) == 7
    replaced = cache.get(event_points.BASES, "points_base", CITY_WIDE.key, key)
    assert len(replaced.rows) == 7 and replaced.mark > first.mark
