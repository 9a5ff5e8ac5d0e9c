"""One reader of the alert stream per worker process, shared by every screen that worker serves.

Why: a screen that blocked on its own `XREAD` held one connection of redis-py's asyncio pool (100 by default) for as
long as it was open, so the 101st screen of a worker never went live ("Too many connections"). The hub holds one
blocking `XREAD` and keeps the newest entries in memory; each screen asks it for the entries after its own last
stream id, so a screen still resumes exactly where it stopped (no alert lost, none shown twice) and filters by its
own scope. A screen behind the hub's memory (a page opened on an old id, a long stall) catches up with a
non-blocking read of its own, a few at a time. Screens per worker are then bounded by memory, not by the pool.

The hub lives on the worker's event loop (its connections belong to that loop), starts with the first screen that
reads, stops after a quiet spell with none, and rides out a Redis restart: while the stream cannot be read every
screen's read raises, so each page marks itself stale, and the reader resumes from its last id once Redis is back.

The same `XREAD` reads the status signals (services/alerts/status.py: an acknowledgement, an escalation), kept in
a short list of their own: a waiting screen is woken by a signal as by an alert, so a wall's pop-up closes within
moments of an acknowledgement anywhere, with no polling.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from bisect import bisect_right
from typing import Any

import redis
import redis.asyncio as aioredis

from services.alerts import Entry, read_after, status_stream

log = logging.getLogger(__name__)

READ_COUNT = 500
KEEP = 1_000  # entries held in memory (1 000 to 2 000, ~1 KB each): at 100 alerts/s, 10 s for a screen to come
# back without a read of its own. A soak's tracemalloc (issue 17) showed 5 000 to be ~10 MB of a wall worker's RSS.
KEEP_SECONDS = 60  # and none much older than this (60 to 120 s): at a quiet city's one alert a second the count
# alone took 33 minutes to fill, and a 2-hour soak read the filling as a leak (8.6 MB of hiredis strings held)
SIGNALS_KEPT = 500  # status signals held in memory: a screen needs only those since its last read
CATCH_UP_SLOTS = 8  # screens reading behind the hub at once (each holds a pool connection only for one read)
IDLE_SECONDS = 10.0  # the reader stops when no screen has read for this long
RETRY_SECONDS = 1.0


def stream_order(stream_id: str) -> tuple[int, int]:
    """Stream ids compare as (milliseconds, sequence), not as text."""
    ms, _, seq = stream_id.partition("-")
    return int(ms or 0), int(seq or 0)


class AlertHub:
    """The entries after any stream id, for every screen of one worker, from one shared `XREAD`."""

    def __init__(self, client: aioredis.Redis, stream: str, *, keep: int = KEEP,
                 keep_seconds: float = KEEP_SECONDS) -> None:
        self.loop = asyncio.get_running_loop()
        self._client, self._stream, self._keep = client, stream, keep
        self._keep_ms = int(keep_seconds * 1000)
        self._ids: list[tuple[int, int]] = []
        self._entries: list[Entry] = []
        self._floor: tuple[int, int] | None = None  # every entry after the floor is in memory (None: not started)
        self._position = "0-0"  # the last id the reader has read
        self._signal_stream = status_stream(stream)
        self._signal_position = "0-0"
        self._signals: list[Entry] = []
        self._signal_count = 0  # signals read so far: a screen waiting for alerts returns when it moves
        self._arrived = asyncio.Event()
        self._error: Exception | None = None
        self._catch_up = asyncio.Semaphore(CATCH_UP_SLOTS)
        self._task: asyncio.Task[None] | None = None
        self._last_wanted = self.loop.time()

    async def read_after(self, last_id: str, *, block_ms: int | None, count: int) -> list[Entry]:
        """Up to `count` entries after `last_id`, waiting up to `block_ms` for one (None: answer at once);
        raises `redis.ConnectionError` while the stream cannot be read."""
        self._wanted()
        deadline = self.loop.time() + (block_ms or 0) / 1000
        cursor = stream_order(last_id)
        signals_before = self._signal_count
        while True:
            if self._error is not None:
                raise redis.ConnectionError(f"alert stream unreachable: {self._error}")
            arrived = self._arrived
            if self._floor is not None and cursor < self._floor:
                async with self._catch_up:
                    entries = await read_after(self._client, self._stream, last_id, block_ms=None, count=count)
                if entries and stream_order(entries[0][0]) <= self._floor:
                    return [entry for entry in entries if stream_order(entry[0]) <= self._floor]
                cursor = self._floor  # nothing left behind the hub (trimmed): carry on from its memory
            if self._floor is not None:
                start = bisect_right(self._ids, cursor)
                if start < len(self._ids):
                    return self._entries[start:start + count]
            remaining = deadline - self.loop.time()
            if block_ms is None or remaining <= 0 or self._signal_count != signals_before:
                return []
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await arrived.wait()

    def signals_after(self, last_id: str) -> list[Entry]:
        """The status signals after `last_id` that the hub holds (at once, never waiting)."""
        self._wanted()
        cursor = stream_order(last_id)
        return [entry for entry in self._signals if stream_order(entry[0]) > cursor]

    def signal_position(self) -> str:
        """The id of the last status signal read (where a screen that opens now starts)."""
        return self._signal_position

    def _wanted(self) -> None:
        self._last_wanted = self.loop.time()
        if self._task is None or self._task.done():
            self._task = self.loop.create_task(self._run(), name="alert-hub")

    def _wake(self) -> None:
        self._arrived.set()
        self._arrived = asyncio.Event()

    async def _run(self) -> None:
        """Read the stream for as long as screens read from the hub."""
        while self.loop.time() - self._last_wanted < IDLE_SECONDS:
            try:
                if self._floor is None:
                    newest = await self._client.xrevrange(self._stream, count=1)
                    self._position = str(newest[0][0]) if newest else "0-0"
                    self._floor = stream_order(self._position)
                    newest = await self._client.xrevrange(self._signal_stream, count=1)
                    self._signal_position = str(newest[0][0]) if newest else "0-0"
                answer: Any = await self._client.xread({self._stream: self._position,
                                                   self._signal_stream: self._signal_position},
                                                  count=READ_COUNT, block=1000)
            except (redis.RedisError, OSError) as exc:
                if self._error is None:
                    log.warning("alert stream unreachable, retrying: %s", exc)
                self._error = exc
                self._wake()
                await asyncio.sleep(RETRY_SECONDS)
                continue
            if self._error is not None:
                log.info("alert stream reachable again")
                self._error = None
            read = {str(name): [(str(entry_id), dict(fields)) for entry_id, fields in found]
                    for name, found in answer or []}
            if read.get(self._signal_stream):
                self._keep_signals(read[self._signal_stream])
            if read.get(self._stream):
                self._keep_entries(read[self._stream])
            if read:
                self._wake()

    def _keep_signals(self, signals: list[Entry]) -> None:
        self._signal_position = signals[-1][0]
        self._signals = (self._signals + signals)[-SIGNALS_KEPT:]
        self._signal_count += len(signals)

    def _keep_entries(self, entries: list[Entry]) -> None:
        self._position = entries[-1][0]
        self._ids += [stream_order(stream_id) for stream_id, _ in entries]
        self._entries += entries
        newest = self._ids[-1][0]
        if len(self._ids) > 2 * self._keep or self._ids[0][0] < newest - 2 * self._keep_ms:  # trimmed in halves,
            # so appending stays cheap: the newest `keep`, and of those only the last `keep_seconds`
            dropped = max(len(self._ids) - self._keep, bisect_right(self._ids, (newest - self._keep_ms, -1)))
            self._floor = self._ids[dropped - 1]
            del self._ids[:dropped], self._entries[:dropped]
