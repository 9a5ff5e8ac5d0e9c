"""The persist worker: alert stream → `alerts` table, at least once and idempotent by sender + id.

It reads with the consumer group `persist`, so several workers share the stream and a crashed one's entries are
claimed by the others (XAUTOCLAIM; at once when the consumer is known dead, services/alerts/consumers.py). A batch
is written in one transaction and XACKed only after its commit. Every entry is either stored or dead-lettered with
its reason, whatever it holds: a failure that touches one entry is that entry's fault, and only when the database
itself does not answer does the batch wait, pending, for a retry. Nothing is dropped silently.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import timedelta
from typing import Any

import redis
from redis.client import NEVER_DECODE
from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from services.alerts.batch import BatchWriter
from services.alerts.consumers import ALIVE_SECONDS, Liveness
from services.alerts.schema import normalize_alert
from services.alerts.stream import Entry
from services.config import Settings
from services.store import Alert

log = logging.getLogger(__name__)

GROUP = "persist"  # the persist worker's consumer group on the alert stream
Rejected = tuple[str, dict[str, Any], str]


class DatabaseUnavailable(Exception):
    """The database, not an entry, failed: the batch stays pending for a retry."""


def _text(raw: Any) -> str:
    """Stream bytes as text; bytes that are not UTF-8 survive as surrogates, which validation then refuses."""
    return raw.decode("utf-8", "surrogateescape") if isinstance(raw, bytes) else str(raw)


def _entries(raw: Any) -> list[Entry]:
    return [(_text(sid), {_text(k): _text(v) for k, v in (fields or {}).items()}) for sid, fields in raw or []]


def _storable(text: str) -> str:
    """Text Redis can take back: a surrogate (from bytes that were not UTF-8) is written as an escape."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _original(fields: dict[str, Any]) -> str:
    text = json.dumps(fields, ensure_ascii=False)
    return text if _storable(text) == text else json.dumps(fields)


class PersistWorker:
    """One consumer of the `persist` group. Call `run_once` in a loop, or `run_forever` in a thread."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        redis_client: redis.Redis,
        consumer: str = "persist-1",
        *,
        min_idle_ms: int = 60_000,
        claim_every_s: float = 5.0,
        retry_after_s: float = 2.0,
        alive_s: float = ALIVE_SECONDS,
    ) -> None:
        self.settings, self.engine, self.redis, self.consumer = settings, engine, redis_client, consumer
        self.stream = settings.alerts_stream
        self.min_idle_ms, self.claim_every_s, self.retry_after_s = min_idle_ms, claim_every_s, retry_after_s
        self.writer = BatchWriter(engine.dialect.name, timedelta(minutes=settings.alert_storm_minutes))
        self.liveness = Liveness(redis_client, self.stream, GROUP, consumer, alive_s)
        self._backlog = True  # our own pending entries first: those a previous run of this consumer left
        self._next_claim = 0.0
        self._claim_cursor = "0-0"
        self._claim_idle_ms = min_idle_ms
        self.db_failed = False
        self.ensure_group()

    def ensure_group(self) -> None:
        """Create the group (and the stream) from the beginning of the stream, unless it exists."""
        try:
            self.redis.xgroup_create(self.stream, GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    # -- reading: raw bytes, so no entry's content can fail the read of the others ------------------------------

    def _read(self, last_id: str, count: int, block_ms: int | None) -> list[Entry]:
        block = [] if block_ms is None else ["BLOCK", block_ms]
        try:
            answer: Any = self.redis.execute_command(
                "XREADGROUP", "GROUP", GROUP, self.consumer, "COUNT", count, *block, "STREAMS", self.stream, last_id,
                **{NEVER_DECODE: True})  # fmt: skip
        except redis.ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            self.ensure_group()  # the stream was deleted under us: start again
            return []
        return _entries(answer[0][1]) if answer else []

    def _sweep_dead(self) -> None:
        """Claim at once what dead consumers hold (else only what a living one has held for `min_idle_ms`), and
        delete the dead that hold nothing."""
        dead = self.liveness.dead()
        self.liveness.forget(dead)
        holding = any(consumer.pending for consumer in dead)
        self._claim_idle_ms = min(self.min_idle_ms, self.liveness.alive_ms) if holding else self.min_idle_ms

    def _claim(self, count: int) -> list[Entry]:
        """Entries another consumer took but has not acknowledged: it died, crashed or hangs."""
        now = time.monotonic()
        if now < self._next_claim:
            return []
        if self._claim_cursor == "0-0":
            self._sweep_dead()
        answer: Any = self.redis.execute_command(
            "XAUTOCLAIM", self.stream, GROUP, self.consumer, self._claim_idle_ms, self._claim_cursor, "COUNT", count,
            **{NEVER_DECODE: True})  # fmt: skip
        self._claim_cursor = _text(answer[0])
        if self._claim_cursor == "0-0":
            self._next_claim = now + self.claim_every_s
        trimmed = [(stream_id, None) for stream_id in (answer[2] if len(answer) > 2 else [])]
        return _entries([*answer[1], *trimmed])  # Redis 7 drops trimmed entries from the claim: reported, not lost

    def _next_batch(self, block_ms: int, count: int) -> list[Entry]:
        if self._backlog:
            entries = self._read("0", count, None)
            if entries:
                return entries
            self._backlog = False
        return self._claim(count) or self._read(">", count, block_ms)

    # -- writing -------------------------------------------------------------------------------------------------

    def _commit(self, entries: list[Entry]) -> None:
        with self.engine.begin() as connection:
            self.writer.apply(connection, entries)

    def _database_answers(self, cause: BaseException) -> None:
        """Raise DatabaseUnavailable (from `cause`) unless the alerts table can be read: then a failed write was the
        data's fault. A store without the table is the deployment's fault too, not the entries'."""
        try:
            with self.engine.connect() as connection:
                connection.execute(select(Alert.id).limit(1))
        except SQLAlchemyError as exc:
            raise DatabaseUnavailable(str(exc)) from cause

    def _write_one(self, entry: Entry) -> str | None:
        """Commit one entry; None, or why it cannot be stored. A failure while the database answers is retried
        once (a deadlock or a dropped connection passes), then it is the entry's."""
        for attempt in (1, 2):
            try:
                self._commit([entry])
                return None
            except Exception as exc:  # noqa: BLE001 - whatever one entry raises, it must not stop the others
                self._database_answers(exc)
                if attempt == 2 or not isinstance(exc, SQLAlchemyError):
                    return f"the database refused it: {getattr(exc, 'orig', None) or exc}"
        return None

    def _write(self, entries: list[Entry]) -> list[Rejected]:
        """Commit the batch; if it fails while the database answers, find the culprits one by one."""
        if not entries:
            return []
        try:
            self._commit(entries)
            return []
        except Exception as exc:  # noqa: BLE001 - see _write_one
            self._database_answers(exc)
            log.warning("batch of %d refused (%s); writing one by one", len(entries), exc.__class__.__name__)
        return [(entry[0], entry[1], reason) for entry in entries if (reason := self._write_one(entry))]

    # -- the loop ------------------------------------------------------------------------------------------------

    def _dead_letter_and_ack(self, rejected: list[Rejected], done: list[str]) -> None:
        pipe = self.redis.pipeline(transaction=False)
        for stream_id, original, reason in rejected:
            fields: dict[Any, Any] = {"reason": _storable(reason), "stream_id": stream_id,
                                      "original": _original(original)}
            pipe.xadd(
                self.settings.dead_letter_stream, fields, maxlen=self.settings.stream_maxlen, approximate=True
            )
        ids = done + [stream_id for stream_id, _, _ in rejected]
        if ids:
            pipe.xack(self.stream, GROUP, *ids)
        pipe.execute()

    @staticmethod
    def _validate(entries: list[Entry]) -> tuple[list[Entry], list[Rejected]]:
        good: list[Entry] = []
        rejected: list[Rejected] = []
        for stream_id, raw in entries:
            if not raw:
                rejected.append((stream_id, raw, "the entry was trimmed from the stream before it was persisted"))
                continue
            try:
                good.append((stream_id, normalize_alert(raw)))
            except Exception as exc:  # noqa: BLE001 - AlertValidationError, or anything else the entry provokes
                rejected.append((stream_id, raw, str(exc) or exc.__class__.__name__))
        return good, rejected

    def run_once(self, block_ms: int = 1000, count: int = 500) -> int:
        """Read one batch (own backlog, then stale claims, then new entries), persist it; entries handled."""
        self.liveness.beat()
        entries = self._next_batch(block_ms, count)
        if not entries:
            return 0
        good, rejected = self._validate(entries)
        originals = dict(entries)
        try:
            rejected += [(sid, originals[sid], reason) for sid, _, reason in self._write(good)]
        except DatabaseUnavailable as exc:
            log.error("database error, %d alerts left pending for a retry: %s", len(good), exc)
            self.db_failed, self._backlog = True, True
            self._dead_letter_and_ack(rejected, [])
            return len(rejected)
        self.db_failed = False
        refused = {stream_id for stream_id, _, _ in rejected}
        self._dead_letter_and_ack(rejected, [stream_id for stream_id, _ in good if stream_id not in refused])
        if rejected:
            log.warning(
                "%d entries to %s, first: %s", len(rejected), self.settings.dead_letter_stream, rejected[0][2]
            )
        return len(entries)

    def run_forever(self, stop: threading.Event, block_ms: int = 1000) -> None:
        """Persist until `stop` is set (checked at least every `block_ms`); errors are logged and retried."""
        while not stop.is_set():
            try:
                self.run_once(block_ms=block_ms)
            except redis.RedisError as exc:
                log.error("Redis error in the persist worker, retrying: %s", exc)
                stop.wait(self.retry_after_s)
            except Exception:
                log.exception("unexpected error in the persist worker, retrying")
                self._backlog = True
                stop.wait(self.retry_after_s)
            if self.db_failed:
                stop.wait(self.retry_after_s)
