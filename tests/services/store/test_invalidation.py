"""services.store.invalidation: a commit through the runtime's sessions invalidates the namespaces of the tables it
wrote, whether it wrote through the unit of work or an ORM statement; a flush alone or a rollback invalidates
nothing. On both backends."""

from __future__ import annotations

from sqlalchemy import Engine, insert, update

from services.store import District, make_sessionmaker
from services.store.cache import LocalQueryCache, Namespace

DISTRICTS = Namespace("districts", tables=("districts",))
EVENTS = Namespace("events", tables=("events",))


def _district(code: str) -> District:
    return District(adcode=code, name_zh=code, name_en=code, geometry="{}")


def _cached(cache: LocalQueryCache) -> dict[str, object]:
    """What each namespace serves now (the value computed "fresh" when nothing is cached)."""
    return {ns.name: cache.get_or_compute(ns, "q", None, (), lambda: "fresh") for ns in (DISTRICTS, EVENTS)}


def test_a_commit_invalidates_the_tables_it_wrote_and_nothing_else(engine: Engine) -> None:
    cache = LocalQueryCache()
    sessions = make_sessionmaker(engine, cache)
    for ns in (DISTRICTS, EVENTS):
        cache.put(ns, "q", None, (), "cached")
    with sessions() as session:
        session.add(_district("A"))
        session.flush()
        assert _cached(cache) == {"districts": "cached", "events": "cached"}, "a flush is not a commit"
        session.commit()
    assert _cached(cache) == {"districts": "fresh", "events": "cached"}


def test_orm_statements_count_as_writes(engine: Engine) -> None:
    cache = LocalQueryCache()
    sessions = make_sessionmaker(engine, cache)
    with sessions() as session:
        session.execute(insert(District), [{"adcode": "A", "name_zh": "a", "name_en": "a", "geometry": "{}"}])
        cache.put(DISTRICTS, "q", None, (), "cached")
        session.commit()
    assert cache.get(DISTRICTS, "q", None, ()) is None
    cache.put(DISTRICTS, "q", None, (), "cached")
    with sessions() as session:
        session.execute(update(District).where(District.adcode == "A").values(name_en="A"))
        session.commit()
    assert cache.get(DISTRICTS, "q", None, ()) is None


def test_a_rolled_back_write_invalidates_nothing(engine: Engine) -> None:
    cache = LocalQueryCache()
    sessions = make_sessionmaker(engine, cache)
    cache.put(DISTRICTS, "q", None, (), "cached")
    with sessions() as session:
        session.add(_district("A"))
        session.flush()
        session.rollback()
        session.commit()  # nothing left to write
    assert cache.get(DISTRICTS, "q", None, ()) == "cached"


def test_sessions_without_a_cache_write_as_before(engine: Engine) -> None:
    with make_sessionmaker(engine)() as session:
        session.add(_district("A"))
        session.commit()
        assert session.get(District, "A") is not None
