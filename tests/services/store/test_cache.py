"""services.store.cache: entries are keyed by scope, live their namespace's lifetime, are never served past a write
to one of their namespace's tables, and can be put; a session carries its cache."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from services.store import cache
from services.store.cache import LocalQueryCache, Namespace

NS = Namespace("ns", tables=("t",))
INDICATORS = Namespace("indicators", tables=("indicator_readings", "indicators"))
EVENTS = Namespace("events", tables=("events", "event_dispatches"))


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def counting(value: object) -> tuple[Callable[[], object], list[int]]:
    calls: list[int] = []

    def compute() -> object:
        calls.append(1)
        return value

    return compute, calls


def test_hit_after_miss_and_scopes_never_share_an_entry() -> None:
    store = LocalQueryCache()
    city, city_calls = counting("city")
    assert store.get_or_compute(NS, "f", None, ("a",), city) == "city"
    assert store.get_or_compute(NS, "f", None, ("a",), city) == "city"
    assert len(city_calls) == 1
    assert store.get_or_compute(NS, "f", frozenset({"350203"}), ("a",), lambda: "siming") == "siming"
    assert store.get_or_compute(NS, "f", frozenset({"350206"}), ("a",), lambda: "huli") == "huli"
    assert store.get_or_compute(NS, "g", None, ("a",), lambda: "other function") == "other function"
    assert store.get_or_compute(NS, "f", None, ("b",), lambda: "other args") == "other args"
    assert store.get_or_compute(NS, "f", frozenset({"350203"}), ("a",), lambda: "recomputed") == "siming"


def test_a_write_to_a_table_drops_only_the_namespaces_reading_it() -> None:
    store = LocalQueryCache()
    store.get_or_compute(INDICATORS, "f", None, (), lambda: 1)
    store.get_or_compute(EVENTS, "f", None, (), lambda: "kept")
    store.invalidate(["indicator_readings"])
    assert store.get_or_compute(INDICATORS, "f", None, (), lambda: 2) == 2
    assert store.get_or_compute(EVENTS, "f", None, (), lambda: "recomputed") == "kept"


def test_a_result_computed_across_a_write_is_not_stored() -> None:
    store = LocalQueryCache()

    def compute_while_a_write_lands() -> str:
        store.invalidate(["indicator_readings"])
        return "read before the write"

    assert (
        store.get_or_compute(INDICATORS, "f", None, (), compute_while_a_write_lands)
        == "read before the write"
    )
    assert store.get_or_compute(INDICATORS, "f", None, (), lambda: "fresh") == "fresh"


def test_entries_expire_after_their_namespace_lifetime() -> None:
    clock = Clock()
    store = LocalQueryCache(timer=clock)
    store.get_or_compute(NS, "f", None, (), lambda: "old")
    clock.now = 9.9
    assert store.get_or_compute(NS, "f", None, (), lambda: "new") == "old"
    clock.now = 10.1
    assert store.get_or_compute(NS, "f", None, (), lambda: "new") == "new"


def test_bad_keys_and_settings_are_refused() -> None:
    store = LocalQueryCache()
    with pytest.raises(TypeError, match="'f' must be hashable"):
        store.get_or_compute(NS, "f", {"350203"}, (), lambda: 1)
    with pytest.raises(ValueError, match="positive"):
        Namespace("ns", lifetime=0)
    with pytest.raises(ValueError, match="positive"):
        LocalQueryCache(maxsize=0)


def test_concurrent_use_from_threads() -> None:
    store = LocalQueryCache(maxsize=64)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(300):
                scope = frozenset({n % 4})
                assert store.get_or_compute(NS, "f", scope, (i % 10,), lambda s=scope, i=i: (s, i % 10)) == (
                    scope, i % 10)
                if i % 50 == 0:
                    store.invalidate(["t"])
        except BaseException as exc:  # surfaced in the main thread below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(store) <= 64


def test_each_namespace_lives_its_own_lifetime() -> None:
    clock, bases = Clock(), Namespace("bases", lifetime=60)
    store = LocalQueryCache(timer=clock)
    store.get_or_compute(NS, "f", None, (), lambda: "short")
    store.get_or_compute(bases, "f", None, (), lambda: "long")
    clock.now = 30
    assert store.get_or_compute(NS, "f", None, (), lambda: "recomputed") == "recomputed"
    assert store.get_or_compute(bases, "f", None, (), lambda: "recomputed") == "long"


def test_put_replaces_an_entry_and_get_reads_it() -> None:
    store, bases = LocalQueryCache(), Namespace("bases", lifetime=60)
    assert store.get(bases, "base", "city", ("view",)) is None
    store.put(bases, "base", "city", ("view",), "first")
    store.put(bases, "base", "city", ("view",), "second")
    assert store.get(bases, "base", "city", ("view",)) == "second"
    assert store.get(bases, "base", "350203", ("view",)) is None, "another scope"
    store.invalidate(["events", "t"])
    assert store.get(bases, "base", "city", ("view",)) == "second", "a namespace with no tables is never invalidated"
    store.put(NS, "f", None, (), "put")
    store.invalidate(["t"])
    assert store.get(NS, "f", None, ()) is None


def test_a_session_carries_its_cache_and_without_one_computes() -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from services.store import make_sessionmaker

    engine, store = create_engine("sqlite://"), LocalQueryCache()
    with make_sessionmaker(engine, store)() as session:
        assert cache.cache_of(session) is store
        assert cache.cached(session, NS, "f", None, (), lambda: 1) == 1
        assert cache.cached(session, NS, "f", None, (), lambda: 2) == 1
    with Session(engine) as session:
        assert cache.cache_of(session) is None
        assert cache.cached(session, NS, "f", None, (), lambda: 2) == 2
    engine.dispose()


def test_a_moment_key_is_the_same_for_the_calls_of_one_ttl():
    from datetime import UTC, datetime, timedelta

    t = datetime(2026, 11, 23, 8, 0, 3, 250_000, tzinfo=UTC)
    assert cache.moment_key(t) == cache.moment_key(t + timedelta(seconds=6)) == datetime(2026, 11, 23, 8, 0, 0,
                                                                                          tzinfo=UTC)
    assert cache.moment_key(t + timedelta(seconds=7)) != cache.moment_key(t)
    assert cache.moment_key(None) is None
