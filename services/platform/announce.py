"""Writes the walls draw live, announced: the runtime's query cache, which every commit already tells what it
wrote (services/store/invalidation.py), also puts a `written` signal on the alerts' status stream when a commit
touched the events. The wall's push loop hears it in the same shared `XREAD` as the alerts and refreshes its map at
once, so an event from a department's system is on the wall within about a second instead of on the map's minute
timer, without a poll and whoever wrote it (the ingest API, a connector, the console, the simulator).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar

import redis

from services.alerts import announce, written
from services.store.cache import Namespace, QueryCache

log = logging.getLogger(__name__)

# what the wall's map and its incident mode draw: a response activated, moved, ticked or stood down is the wall's
# `incident` signal, heard whoever wrote it
LIVE_TABLES = frozenset({"events", "event_dispatches", "responses", "response_checks"})
T = TypeVar("T")


class AnnouncingCache:
    """`inner`, whose invalidations of `LIVE_TABLES` are also announced on `alerts_stream`'s status stream."""

    def __init__(self, inner: QueryCache, client: redis.Redis, alerts_stream: str) -> None:
        self.inner, self._client, self._stream = inner, client, alerts_stream

    def get_or_compute(self, namespace: Namespace, name: str, scope: Hashable, args: Hashable,
                       compute: Callable[[], T]) -> T:
        return self.inner.get_or_compute(namespace, name, scope, args, compute)

    def get(self, namespace: Namespace, name: str, scope: Hashable, args: Hashable) -> Any | None:
        return self.inner.get(namespace, name, scope, args)

    def put(self, namespace: Namespace, name: str, scope: Hashable, args: Hashable, value: object) -> None:
        self.inner.put(namespace, name, scope, args, value)

    def invalidate(self, tables: Iterable[str]) -> None:
        tables = set(tables)
        self.inner.invalidate(tables)
        live = tables & LIVE_TABLES
        if live:
            try:
                announce(self._client, self._stream, [written(live)])
            except (redis.RedisError, OSError) as exc:  # the map still refreshes on its timer
                log.warning("could not announce a write of %s: %s", ", ".join(sorted(live)), exc)
