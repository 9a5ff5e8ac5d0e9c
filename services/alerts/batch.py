"""One batch of validated stream entries written to the `alerts` table, in the caller's transaction.

An alert is known by its sender and identifier (CAP 1.2): an id another sender reuses is another alert, and an
update or cancel changes only its own sender's alerts (the API lets a token send only as the senders it may speak
for, services/config.py). An update or cancel whose alert never reached us is stored as a new alert: the sender's
earlier message was lost, and the operator must still see this one.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Insert, Table, bindparam, func, literal, literal_column, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert

from services.alerts.actions import SYSTEM_USER
from services.alerts.schema import referenced
from services.alerts.storm import Identity, assign_groups, identity
from services.alerts.stream import Entry
from services.store import Alert, AlertAction, District

log = logging.getLogger(__name__)

_ALERTS: Table = Alert.__table__  # type: ignore[assignment]
_ACTIONS: Table = AlertAction.__table__  # type: ignore[assignment]
_CONTENT = (
    "source", "sent_at", "severity", "urgency", "certainty", "category", "event", "headline", "description",
    "area", "district", "lat", "lon", "expires_at",
)  # fmt: skip
_COLUMNS = ("stream_id", "alert_id", *_CONTENT, "msg_type", "references", "status", "received_at", "resolved_at",
            "group_id")
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


def known_districts(connection: Connection) -> frozenset[str]:
    """The adcodes in the `districts` table: an alert may only point at one of these (foreign key)."""
    return frozenset(connection.scalars(select(District.adcode)))


def _insert_new(dialect: str) -> ReturningInsert[str, str, int]:
    """INSERT that skips rows whose (alert_id, source) is already stored (redelivery and duplicate producers are
    no-ops) and returns the identity and id of the rows it did store: only those count in their storm group.

    PostgreSQL gets the whole batch as one JSON parameter read with the table's own row type: one short statement
    that psycopg parses once and the server prepares. A multi-row VALUES of 500 rows is a new 10 000-parameter
    text for psycopg to parse on every batch (most of the insert's time), and per-column arrays cost about as much
    to dump in Python. A value that does not fit its column is still refused (DataError), never truncated."""
    keys = ["alert_id", "source"]
    if dialect == "postgresql":
        batch = func.json_populate_recordset(literal_column(f"NULL::{_ALERTS.name}"), bindparam("rows"))
        insert: Insert = postgresql.insert(_ALERTS).from_select(
            _COLUMNS, select(*batch.table_valued(*_COLUMNS).c)
        ).on_conflict_do_nothing(index_elements=keys)
    elif dialect == "sqlite":
        insert = sqlite.insert(_ALERTS).on_conflict_do_nothing(index_elements=keys)
    else:
        raise ValueError(f"the persist worker supports PostgreSQL and SQLite, not {dialect}")
    return insert.returning(_ALERTS.c.source, _ALERTS.c.alert_id, _ALERTS.c.id)


def row_of(stream_id: str, fields: dict[str, str]) -> dict[str, Any]:
    """The `alerts` row of a validated entry (services/alerts/schema.py normalize_alert)."""
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
        "expires_at": datetime.fromisoformat(fields["expires"]).astimezone(UTC) if fields.get("expires") else None,
        "msg_type": fields["msg_type"],
        "references": fields.get("references"),
        "status": "new",
        "received_at": datetime.now(UTC),
    }


def _follow_responses(connection: Connection, content: dict[int, dict[str, Any]], cancelled: set[int]) -> None:
    """An activated plan follows its alert (services/plans): an update rewrites the incident, a cancel proposes
    standing down; in this batch's transaction."""
    if not content and not cancelled:
        return
    from services.plans.responses import follow_alert_changes  # here: plans act on alerts through their face

    with Session(bind=connection) as session:
        follow_alert_changes(session, content, cancelled)


class BatchWriter:
    """Writes batches for one engine's dialect; remembers the districts table between batches."""

    def __init__(self, dialect: str, storm_window: timedelta) -> None:
        self._insert = _insert_new(dialect)
        self._as_json = dialect == "postgresql"  # see _insert_new
        self.storm_window = storm_window
        self._districts: frozenset[str] | None = None

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

    def _stored(self, connection: Connection, wanted: Iterable[Identity]) -> dict[Identity, int]:
        """The ids of the stored alerts among `wanted` identities."""
        wanted = set(wanted)
        if not wanted:
            return {}
        found = connection.execute(select(_ALERTS.c.source, _ALERTS.c.alert_id, _ALERTS.c.id)
                                   .where(_ALERTS.c.alert_id.in_({alert_id for _, alert_id in wanted})))
        return {(source, alert_id): pk for source, alert_id, pk in found if (source, alert_id) in wanted}

    def _store(self, connection: Connection, rows: Iterable[dict[str, Any]]) -> dict[Identity, int]:
        """Insert `rows` in one multi-row statement; the identity → id of those that were not stored yet."""
        batch = list(rows)
        if not batch:
            return {}
        if self._as_json:
            document = json.dumps(batch, ensure_ascii=False, default=datetime.isoformat)
            answer = connection.execute(self._insert, {"rows": document})
        else:
            answer = connection.execute(self._insert, batch)
        return {(source, alert_id): pk for source, alert_id, pk in answer}

    def _store_alerts(self, connection: Connection, rows: Sequence[dict[str, Any]]) -> dict[Identity, int]:
        """New alerts, already carrying their storm group, in one statement; the groups then count the alerts
        that really were new."""
        storms = assign_groups(connection, rows, self.storm_window)
        new: dict[Identity, dict[str, Any]] = {}
        for row in rows:
            new.setdefault(identity(row), {**row, "group_id": storms.group_of[identity(row)]})
        stored = self._store(connection, new.values())
        storms.count(connection, stored)
        return stored

    def _changes(self, connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
        """Updates rewrite the referenced alerts' content, cancels resolve them; one statement of each kind for the
        batch (the two touch different columns, so they commute; of several updates of one alert the last wins,
        as in stream order). Only the sender's own alerts are changed; a change that finds none is an orphan and
        is stored as a new alert, noted in its audit trail."""
        targets_of = {identity(row): [ref for ref in referenced(row["references"], row["source"])
                                      if ref[0] == row["source"]] for row in rows}
        known = self._stored(connection, (ref for refs in targets_of.values() for ref in refs))
        content: dict[int, dict[str, Any]] = {}
        cancelled: set[int] = set()
        actions: list[tuple[int, str, str]] = []
        for row in rows:
            targets = [known[ref] for ref in targets_of[identity(row)] if ref in known]
            if not targets:
                known |= self._store_orphan(connection, row, actions)
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
        _follow_responses(connection, content, cancelled)

    def _store_orphan(self, connection: Connection, row: dict[str, Any],
                      actions: list[tuple[int, str, str]]) -> dict[Identity, int]:
        """An update or cancel of an alert we never received, stored as an alert of its own (the console lists
        it, escalation and the briefing count it); a cancel arrives already resolved. Its audit trail says what it
        was sent as."""
        log.info("%s %s references no stored alert of %s; storing it as a new alert", row["msg_type"],
                 row["alert_id"], row["source"])
        now = datetime.now(UTC)
        resolved = {"status": "resolved", "resolved_at": now} if row["msg_type"] == "cancel" else {}
        stored = self._store_alerts(connection, [{**row, "msg_type": "alert", **resolved}])
        actions += [(pk, "note", f"sent as a {row['msg_type']} of {row['references']}, which never reached us; "
                                 "stored as a new alert") for pk in stored.values()]
        return stored

    def _note_unknown_districts(self, connection: Connection, notes: dict[Identity, str]) -> None:
        self._record(connection, [(alert_pk, "note", f"district {notes[key]} is not in the districts table; "
                                                     "stored without a district")
                                  for key, alert_pk in self._stored(connection, notes).items()])

    def apply(self, connection: Connection, entries: Sequence[Entry]) -> None:
        """Write validated `entries`: the batch's new alerts first, in one multi-row statement; then its updates and
        cancels in stream order, so each finds the alerts it refers to, also those of this batch, whatever their
        place in it."""
        rows: list[dict[str, Any]] = []
        notes: dict[Identity, str] = {}
        for stream_id, fields in entries:
            row = row_of(stream_id, fields)
            row["district"] = self._district(connection, row["district"])
            if fields.get("district") and row["district"] is None:
                notes[identity(row)] = fields["district"]
            rows.append(row)
        self._store_alerts(connection, [row for row in rows if row["msg_type"] == "alert"])
        self._changes(connection, [row for row in rows if row["msg_type"] != "alert"])
        if notes:
            self._note_unknown_districts(connection, notes)
