"""services.store.cache: entries are keyed by scope, expire, and are never served past an invalidation."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from services.store import cache
from services.store.cache import LocalQueryCache


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
    assert store.get_or_compute("ns", "f", None, ("a",), city) == "city"
    assert store.get_or_compute("ns", "f", None, ("a",), city) == "city"
    assert len(city_calls) == 1
    assert store.get_or_compute("ns", "f", frozenset({"350203"}), ("a",), lambda: "siming") == "siming"
    assert store.get_or_compute("ns", "f", frozenset({"350206"}), ("a",), lambda: "huli") == "huli"
    assert store.get_or_compute("ns", "g", None, ("a",), lambda: "other function") == "other function"
    assert store.get_or_compute("ns", "f", None, ("b",), lambda: "other args") == "other args"
    assert store.get_or_compute("ns", "f", frozenset({"350203"}), ("a",), lambda: "recomputed") == "siming"


def test_invalidate_drops_only_its_namespace() -> None:
    store = LocalQueryCache()
    store.get_or_compute("indicators", "f", None, (), lambda: 1)
    store.get_or_compute("events", "f", None, (), lambda: "kept")
    store.invalidate("indicators")
    assert store.get_or_compute("indicators", "f", None, (), lambda: 2) == 2
    assert store.get_or_compute("events", "f", None, (), lambda: "recomputed") == "kept"
    assert store.generation("indicators") == 1 and store.generation("events") == 0


def test_a_result_computed_across_a_write_is_not_stored() -> None:
    store = LocalQueryCache()

    def compute_while_a_write_lands() -> str:
        store.invalidate("indicators")
        return "read before the write"

    assert (
        store.get_or_compute("indicators", "f", None, (), compute_while_a_write_lands)
        == "read before the write"
    )
    assert store.get_or_compute("indicators", "f", None, (), lambda: "fresh") == "fresh"


def test_entries_expire_after_the_ttl() -> None:
    clock = Clock()
    store = LocalQueryCache(ttl=10, timer=clock)
    store.get_or_compute("ns", "f", None, (), lambda: "old")
    clock.now = 9.9
    assert store.get_or_compute("ns", "f", None, (), lambda: "new") == "old"
    clock.now = 10.1
    assert store.get_or_compute("ns", "f", None, (), lambda: "new") == "new"


def test_bad_keys_and_settings_are_refused() -> None:
    store = LocalQueryCache()
    with pytest.raises(TypeError, match="'f' must be hashable"):
        store.get_or_compute("ns", "f", {"350203"}, (), lambda: 1)
    with pytest.raises(ValueError, match="positive"):
        LocalQueryCache(ttl=0)


def test_concurrent_use_from_threads() -> None:
    store = LocalQueryCache(maxsize=64)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(300):
                scope = frozenset({n % 4})
                assert store.get_or_compute(
                    "ns", "f", scope, (i % 10,), lambda s=scope, i=i: (s, i % 10)
                ) == (
                    scope,
                    i % 10,
                )
                if i % 50 == 0:
                    store.invalidate("ns")
        except BaseException as exc:  # surfaced in the main thread below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(store) <= 64


def test_module_default_cache_can_be_swapped() -> None:
    mine = LocalQueryCache()
    cache.set_default_cache(mine)
    try:
        assert cache.default_cache() is mine
        mine.get_or_compute("indicators", "f", None, (), lambda: 1)
        cache.invalidate("indicators")
        assert mine.generation("indicators") == 1
    finally:
        cache.set_default_cache(None)
    assert cache.default_cache() is not mine


def test_a_moment_key_is_the_same_for_the_calls_of_one_ttl():
    from datetime import UTC, datetime, timedelta

    t = datetime(2026, 11, 23, 8, 0, 3, 250_000, tzinfo=UTC)
    assert cache.moment_key(t) == cache.moment_key(t + timedelta(seconds=6)) == datetime(2026, 11, 23, 8, 0, 0,
                                                                                          tzinfo=UTC)
    assert cache.moment_key(t + timedelta(seconds=7)) != cache.moment_key(t)
    assert cache.moment_key(None) is None
