"""The persist worker: alert stream → `alerts` table, at least once and idempotent by the producer's id.

It reads with the consumer group `persist`, so several workers share the stream and a crashed one's entries are
claimed by the others (XAUTOCLAIM). A batch is written in one transaction and XACKed only after its commit; a
database outage leaves the batch pending for a retry. Input that breaks the contract goes to the dead-letter
stream with its reason, so the worker never stops on it and nothing is dropped silently.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
from sqlalchemy import (
    Connection,
    Engine,
    Insert,
    Table,
    bindparam,
    func,
    literal,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError
from sqlalchemy.sql.dml import ReturningInsert

from services.alerts.schema import AlertValidationError, normalize_alert, references_ids
from services.alerts.storm import assign_groups
from services.alerts.stream import Entry
from services.config import Settings
from services.store import Alert, AlertAction, District

log = logging.getLogger(__name__)

GROUP = "persist"  # the persist worker's consumer group on the alert stream
SYSTEM_USER = "system"
_ALERTS: Table = Alert.__table__  # type: ignore[assignment]
_ACTIONS: Table = AlertAction.__table__  # type: ignore[assignment]
_CONTENT = (
    "source", "sent_at", "severity", "urgency", "certainty", "category", "event", "headline", "description",
    "area", "district", "lat", "lon",
)  # fmt: skip
_COLUMNS = ("stream_id", "alert_id", *_CONTENT, "msg_type", "references", "status", "received_at", "group_id")
_UPDATE_CONTENT = update(_ALERTS).where(_ALERTS.c.id == bindparam("pk")).values(
    {name: bindparam(name) for name in _CONTENT})
_RECORD = _ACTIONS.insert().from_select(
    ["alert_id", "action", "user", "comment", "at"],
    select(*(bindparam(name, type_=_ACTIONS.c[column].type) for name, column in
             (("alert", "alert_id"), ("action", "action"))), literal(SYSTEM_USER),
           *(bindparam(name, type_=_ACTIONS.c[name].type) for name in ("comment", "at"))).where(~select(_ACTIONS.c.id).where(
               _ACTIONS.c.alert_id == bindparam("alert"), _ACTIONS.c.action == bindparam("action"),
               _ACTIONS.c.comment == bindparam("comment")).exists()),
)  # audit rows written once, even when an entry is delivered again
# The entry's own fault (a constraint or a value the column cannot hold): that entry goes to the dead letters.
# Any other database error (outage, lock, missing schema) is the deployment's: the batch waits for a retry.
_ENTRY_FAULTS = (IntegrityError, DataError)

Rejected = tuple[str, dict[str, Any], str]


def known_districts(connection: Connection) -> frozenset[str]:
    """The adcodes in the `districts` table: an alert may only point at one of these (foreign key)."""
    return frozenset(connection.scalars(select(District.adcode)))


def _insert_new(dialect: str) -> ReturningInsert[str, int]:
    """INSERT that skips rows whose alert_id is already stored (redelivery and duplicate producers are no-ops) and
    returns the alert_id and id of the rows it did store: only those count in their storm group.

    PostgreSQL gets the whole batch as one JSON parameter read with the table's own row type: one short statement
    that psycopg parses once and the server prepares. A multi-row VALUES of 500 rows is a new 10 000-parameter
    text for psycopg to parse on every batch (most of the insert's time), and per-column arrays cost about as much
    to dump in Python. A value that does not fit its column is still refused (DataError), never truncated."""
    if dialect == "postgresql":
        batch = func.json_populate_recordset(literal_column(f"NULL::{_ALERTS.name}"), bindparam("rows"))
        insert: Insert = postgresql.insert(_ALERTS).from_select(
            _COLUMNS, select(*batch.table_valued(*_COLUMNS).c)
        ).on_conflict_do_nothing(index_elements=["alert_id"])
    elif dialect == "sqlite":
        insert = sqlite.insert(_ALERTS).on_conflict_do_nothing(index_elements=["alert_id"])
    else:
        raise ValueError(f"the persist worker supports PostgreSQL and SQLite, not {dialect}")
    return insert.returning(_ALERTS.c.alert_id, _ALERTS.c.id)


def _row(stream_id: str, fields: dict[str, str]) -> dict[str, Any]:
    lat, lon = fields.get("lat"), fields.get("lon")
    return {
        "stream_id": stream_id,
        "alert_id": fields["id"],
        "source": fields["source"],
        "sent_at": datetime.fromisoformat(fields["sent"]).astimezone(UTC),
        "severity": fields["severity"],
        "urgency": fields["urgency"],
        "certainty": fields["certainty"],
        "category": fields["category"],
        "event": fields["event"],
        "headline": fields["headline"],
        "description": fields.get("description"),
        "area": fields.get("area"),
        "district": fields.get("district"),
        "lat": float(lat) if lat is not None else None,
        "lon": float(lon) if lon is not None else None,
        "msg_type": fields["msg_type"],
        "references": fields.get("references"),
        "status": "new",
        "received_at": datetime.now(UTC),
    }


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
    ) -> None:
        self.settings, self.engine, self.redis, self.consumer = settings, engine, redis_client, consumer
        self.stream = settings.alerts_stream
        self.min_idle_ms, self.claim_every_s, self.retry_after_s = min_idle_ms, claim_every_s, retry_after_s
        self._insert = _insert_new(engine.dialect.name)
        self._as_json = engine.dialect.name == "postgresql"  # see _insert_new
        self.storm_window = timedelta(minutes=settings.alert_storm_minutes)
        self._districts: frozenset[str] | None = None
        self._backlog = True  # our own pending entries first: those a previous run of this consumer left
        self._next_claim = 0.0
        self._claim_cursor = "0-0"
        self.db_failed = False
        self.ensure_group()

    def ensure_group(self) -> None:
        """Create the group (and the stream) from the beginning of the stream, unless it exists."""
        try:
            self.redis.xgroup_create(self.stream, GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    # -- reading ---------------------------------------------------------------------------------------------

    def _read(self, last_id: str, count: int, block_ms: int | None) -> list[Entry]:
        try:
            answer: Any = self.redis.xreadgroup(
                GROUP, self.consumer, {self.stream: last_id}, count=count, block=block_ms
            )
        except redis.ResponseError as exc:
            if "NOGROUP" not in str(exc):
                raise
            self.ensure_group()  # the stream was deleted under us: start again
            return []
        return [(str(sid), dict(fields or {})) for sid, fields in answer[0][1]] if answer else []

    def _claim(self, count: int) -> list[Entry]:
        """Entries another consumer took but has not acknowledged for `min_idle_ms` (it crashed or hangs)."""
        now = time.monotonic()
        if now < self._next_claim:
            return []
        answer: Any = self.redis.xautoclaim(
            self.stream, GROUP, self.consumer, self.min_idle_ms, start_id=self._claim_cursor, count=count
        )
        self._claim_cursor = str(answer[0])
        if self._claim_cursor == "0-0":
            self._next_claim = now + self.claim_every_s
        return [(str(sid), dict(fields or {})) for sid, fields in answer[1]]

    def _next_batch(self, block_ms: int, count: int) -> list[Entry]:
        if self._backlog:
            entries = self._read("0", count, None)
            if entries:
                return entries
            self._backlog = False
        return self._claim(count) or self._read(">", count, block_ms)

    # -- writing ---------------------------------------------------------------------------------------------

    def _district(self, connection: Connection, district: str | None) -> str | None:
        if district is None:
            return None
        if self._districts is None or district not in self._districts:
            self._districts = known_districts(connection)
        return district if district in self._districts else None

    def _record(self, connection: Connection, actions: Sequence[tuple[int, str, str]]) -> None:
        """Audit rows (alert id, action, comment) by 'system', in one statement; each is written once even when the
        same entry is delivered again."""
        if actions:
            at = datetime.now(UTC)
            connection.execute(_RECORD, [{"alert": pk, "action": action, "comment": comment, "at": at}
                                         for pk, action, comment in actions])

    def _note_unknown_districts(self, connection: Connection, notes: dict[str, str]) -> None:
        rows = connection.execute(
            select(_ALERTS.c.id, _ALERTS.c.alert_id).where(_ALERTS.c.alert_id.in_(notes))
        )
        self._record(connection, [(alert_pk, "note", f"district {notes[alert_id]} is not in the districts table; "
                                                     "stored without a district") for alert_pk, alert_id in rows])

    def _store(self, connection: Connection, rows: Iterable[dict[str, Any]]) -> dict[str, int]:
        """Insert `rows` in one multi-row statement; the alert_id → id of those that were not stored yet."""
        batch = list(rows)
        if not batch:
            return {}
        if self._as_json:
            document = json.dumps(batch, ensure_ascii=False, default=datetime.isoformat)
            return dict(connection.execute(self._insert, {"rows": document}).all())
        return dict(connection.execute(self._insert, batch).all())

    def _changes(self, connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
        """Updates rewrite the referenced alerts' content, cancels resolve them; one statement of each kind for the
        batch (the two touch different columns, so they commute; of several updates of one alert the last wins,
        as in stream order). A change whose targets are unknown is stored as it is."""
        wanted = {ref for row in rows for ref in references_ids(row["references"])}
        known = dict(connection.execute(select(_ALERTS.c.alert_id, _ALERTS.c.id)
                                        .where(_ALERTS.c.alert_id.in_(wanted))).all()) if wanted else {}
        content: dict[int, dict[str, Any]] = {}
        cancelled: set[int] = set()
        actions: list[tuple[int, str, str]] = []
        for row in rows:
            targets = [known[ref] for ref in references_ids(row["references"]) if ref in known]
            if not targets:
                log.info("%s %s references no stored alert; storing it as it is", row["msg_type"], row["alert_id"])
                known |= self._store(connection, [{**row, "status": "resolved" if row["msg_type"] == "cancel"
                                                   else "new"}])
                continue
            for alert_pk in targets:
                if row["msg_type"] == "cancel":
                    cancelled.add(alert_pk)
                    actions.append((alert_pk, "resolve", f"cancelled by {row['alert_id']}"))
                else:
                    content[alert_pk] = {name: row[name] for name in _CONTENT}
                    actions.append((alert_pk, "update", f"updated by {row['alert_id']}"))
        if content:
            connection.execute(_UPDATE_CONTENT, [{"pk": pk, **values} for pk, values in content.items()])
        if cancelled:
            connection.execute(update(_ALERTS).where(_ALERTS.c.id.in_(cancelled)).values(
                status="resolved", resolved_at=datetime.now(UTC), silenced_until=None))
        self._record(connection, actions)

    def _apply(self, connection: Connection, entries: Sequence[Entry]) -> None:
        """Write `entries`: the batch's new alerts first, already carrying their storm group, in one multi-row
        statement (the groups then count the alerts that really were new); then its updates and cancels in stream
        order, so each finds the alerts it refers to, also those of this batch, whatever their place in it."""
        rows: list[dict[str, Any]] = []
        notes: dict[str, str] = {}
        for stream_id, fields in entries:
            row = _row(stream_id, fields)
            row["district"] = self._district(connection, row["district"])
            if fields.get("district") and row["district"] is None:
                notes[row["alert_id"]] = fields["district"]
            rows.append(row)
        alerts = [row for row in rows if row["msg_type"] == "alert"]
        storms = assign_groups(connection, alerts, self.storm_window)
        new: dict[str, dict[str, Any]] = {}
        for row in alerts:
            new.setdefault(row["alert_id"], {**row, "group_id": storms.group_of[row["alert_id"]]})
        stored = self._store(connection, new.values())
        self._changes(connection, [row for row in rows if row["msg_type"] != "alert"])
        if notes:
            self._note_unknown_districts(connection, notes)
        storms.count(connection, stored)

    def _write(self, entries: list[Entry]) -> list[Rejected]:
        """Commit the batch; if an entry's data is refused, find the culprits one by one and return them."""
        try:
            with self.engine.begin() as connection:
                self._apply(connection, entries)
            return []
        except _ENTRY_FAULTS as exc:
            log.warning("batch of %d refused (%s); writing one by one", len(entries), exc.__class__.__name__)
        rejected: list[Rejected] = []
        for entry in entries:
            try:
                with self.engine.begin() as connection:
                    self._apply(connection, [entry])
            except _ENTRY_FAULTS as exc:
                rejected.append(
                    (entry[0], entry[1], f"the database refused it: {getattr(exc, 'orig', None) or exc}")
                )
        return rejected

    # -- the loop --------------------------------------------------------------------------------------------

    def _dead_letter_and_ack(self, rejected: list[Rejected], done: list[str]) -> None:
        pipe = self.redis.pipeline(transaction=False)
        for stream_id, original, reason in rejected:
            fields: dict[Any, Any] = {
                "reason": reason,
                "stream_id": stream_id,
                "original": json.dumps(original, ensure_ascii=False),
            }
            pipe.xadd(
                self.settings.dead_letter_stream, fields, maxlen=self.settings.stream_maxlen, approximate=True
            )
        ids = done + [stream_id for stream_id, _, _ in rejected]
        if ids:
            pipe.xack(self.stream, GROUP, *ids)
        pipe.execute()

    def run_once(self, block_ms: int = 1000, count: int = 500) -> int:
        """Read one batch (own backlog, then stale claims, then new entries), persist it; entries handled."""
        entries = self._next_batch(block_ms, count)
        if not entries:
            return 0
        good: list[Entry] = []
        rejected: list[Rejected] = []
        for stream_id, raw in entries:
            if not raw:
                rejected.append(
                    (stream_id, raw, "the entry was trimmed from the stream before it was persisted")
                )
                continue
            try:
                good.append((stream_id, normalize_alert(raw)))
            except AlertValidationError as exc:
                rejected.append((stream_id, raw, str(exc)))
        originals = dict(entries)
        try:
            rejected += [(sid, originals[sid], reason) for sid, _, reason in self._write(good)]
        except SQLAlchemyError as exc:
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
