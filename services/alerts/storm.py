"""Alert storms: the same event in the same district at the same severity within a window is one group with a count.

A flood of one sensor's alarms must not push every other alert off the wall. The persist worker stores the groups
(`alert_groups`, `alerts.group_id`) for the console; the wall's push loop folds its ticker with the same key and
window, so both screens show one row "×N" instead of N rows. A change of severity starts a new group, so an
escalation is never hidden inside a count.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete, select, update

from services.store import AlertGroup

DEFAULT_WINDOW = timedelta(minutes=10)
Identity = tuple[str, str]  # (source, alert_id): CAP identifies a message by sender + identifier
_GROUPS: Table = AlertGroup.__table__  # type: ignore[assignment]


def storm_key(fields: Mapping[str, Any]) -> str:
    """event | district (or '-') | severity: what makes two alerts "the same" for grouping."""
    return f"{fields.get('event', '')}|{fields.get('district') or '-'}|{fields.get('severity', 'unknown')}"


def identity(fields: Mapping[str, Any]) -> Identity:
    """Who sent an alert row and under which id: the key it is stored, deduplicated and referred to by."""
    return str(fields["source"]), str(fields["alert_id"])


def sent_time(fields: Mapping[str, Any]) -> datetime | None:
    """The entry's `sent` in UTC, or None when it has none that fits (a page must render whatever the stream holds:
    9999-12-31T23:59:59-14:00 overflows UTC)."""
    return utc_time(str(fields.get("sent", "")))


@functools.lru_cache(maxsize=16_384)
def utc_time(text: str) -> datetime | None:
    """An ISO time from the stream in UTC, or None when it is not one that fits. Parsed once per worker, not once
    per screen: every wall's push reads every alert's times, a storm's 1 000 a second on each of a worker's screens
    (datetimes are immutable, so one object serves them all)."""
    try:
        return datetime.fromisoformat(text).astimezone(UTC)
    except (ValueError, OverflowError):
        return None


@dataclass
class TickerRow:
    """One ticker row: the stream id of its first alert, the storm key, how many alerts, the newest sent time."""

    head_id: str
    key: str
    count: int
    last_sent: datetime | None


class StormFolder:
    """Folds a stream of entries into rows, newest row first; an entry joins the row of its key within the window."""

    def __init__(self, rows: Iterable[TickerRow] = (), window: timedelta = DEFAULT_WINDOW) -> None:
        self.rows = list(rows)  # newest first
        self.window = window

    def add(self, stream_id: str, fields: Mapping[str, Any]) -> tuple[TickerRow, bool]:
        """The row the entry lands in, and whether that row is new (else its count went up)."""
        key, sent = storm_key(fields), sent_time(fields)
        if fields.get("msg_type", "alert") == "alert":
            for row in self.rows:
                if row.key == key and _within(row.last_sent, sent, self.window):
                    row.count += 1
                    row.last_sent = max(filter(None, (row.last_sent, sent)), default=None)
                    return row, False
        row = TickerRow(stream_id, key, 1, sent)
        self.rows.insert(0, row)
        return row, True


def _within(last: datetime | None, sent: datetime | None, window: timedelta) -> bool:
    return last is not None and sent is not None and abs(sent - last) <= window


def assign_groups(
    connection: Connection, alerts: Iterable[Mapping[str, Any]], window: timedelta = DEFAULT_WINDOW
) -> StormBatch:
    """Choose the storm group of each alert of a batch BEFORE it is stored, so the alerts are inserted already
    carrying their `group_id` (no re-read, no UPDATE of the rows just written). `alerts` are rows about to be
    inserted (source, alert_id, event, district, severity, sent_at); `group_of` is keyed by their identity
    (source, alert_id), since two senders may use one id.

    Two statements per batch whatever its size (the persist worker's budget is 5 000 alerts a second): the open
    groups of the batch's keys are read once, the batch is folded in memory, and the groups it opens are inserted
    in one statement. They start empty: only `StormBatch.count`, told which alerts the insert really stored, adds
    members, so a redelivered alert is never counted twice."""
    batch: dict[Identity, Mapping[str, Any]] = {}
    for fields in alerts:
        batch.setdefault(identity(fields), fields)  # the first delivery of an alert wins, as in the insert
    if not batch:
        return StormBatch({}, [])
    ordered = sorted(batch.values(), key=lambda fields: fields["sent_at"])  # stable: stream order within a second
    keys = {storm_key(fields) for fields in ordered}
    first, last = ordered[0]["sent_at"], ordered[-1]["sent_at"]
    groups: dict[str, list[_Group]] = {}
    for found in connection.execute(
        select(_GROUPS.c.id, _GROUPS.c.key, _GROUPS.c.head_alert_id, _GROUPS.c.first_at, _GROUPS.c.last_at)
        .where(_GROUPS.c.key.in_(keys), _GROUPS.c.last_at >= first - window, _GROUPS.c.first_at <= last + window)
    ):  # fmt: skip
        groups.setdefault(found.key, []).append(
            _Group(found.key, found.id, found.head_alert_id, found.first_at, found.last_at)
        )
    opened: list[_Group] = []
    for fields in ordered:
        member, key, sent_at = identity(fields), storm_key(fields), fields["sent_at"]
        candidates = [g for g in groups.get(key, []) if g.reach >= sent_at - window and g.first_at <= sent_at + window]
        if candidates:
            group = max(candidates, key=lambda g: g.reach)
        else:
            group = _Group(key, 0, None, sent_at, sent_at)
            groups.setdefault(key, []).append(group)
            opened.append(group)
        group.reach = max(group.reach, sent_at)
        group.members.append((member, sent_at))
    if opened:
        ids = connection.execute(
            _GROUPS.insert().returning(_GROUPS.c.id, sort_by_parameter_order=True),
            [{"key": g.key, "head_alert_id": 0, "count": 0, "first_at": g.first_at, "last_at": g.last_at}
             for g in opened],
        ).scalars().all()  # fmt: skip
        for group, group_id in zip(opened, ids, strict=True):
            group.id = group_id
    touched = [group for found in groups.values() for group in found if group.members]
    return StormBatch({member: g.id for g in touched for member, _ in g.members}, touched)


@dataclass
class _Group:
    """A storm group as a batch folds into it. `head` is None for a group the batch opens (its id is 0 until it is
    inserted): its first alert gets an id only when it is stored. `reach` is its newest time with the batch's
    alerts, `members` their (identity, sent)."""

    key: str
    id: int
    head: int | None
    first_at: datetime
    last_at: datetime
    reach: datetime = field(init=False)
    members: list[tuple[Identity, datetime]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.reach = self.last_at


@dataclass
class StormBatch:
    """The groups one batch was assigned to: `group_of` maps each alert's identity to the group id to insert it
    with."""

    group_of: dict[Identity, int]
    groups: list[_Group]

    def count(self, connection: Connection, stored: Mapping[Identity, int]) -> int:
        """Add to their groups the alerts the insert really stored (`stored`: identity → alerts.id, from its
        RETURNING), in one executemany; a group the batch opened that got none (all redelivered) is removed.
        Returns how many alerts were counted."""
        grown: list[dict[str, Any]] = []
        empty: list[int] = []
        for group in self.groups:
            landed = sorted((sent, stored[member]) for member, sent in group.members if member in stored)
            if not landed:
                if group.head is None:
                    empty.append(group.id)
                continue
            if group.head is None:  # opened by this batch: its first stored alert is its head
                head, first_at, last_at = landed[0][1], landed[0][0], landed[-1][0]
            else:
                head, first_at, last_at = group.head, group.first_at, max(group.last_at, landed[-1][0])
            grown.append({"gid": group.id, "n": len(landed), "head": head, "first": first_at, "last": last_at})
        if grown:
            connection.execute(
                update(_GROUPS).where(_GROUPS.c.id == bindparam("gid")).values(
                    count=_GROUPS.c.count + bindparam("n"), head_alert_id=bindparam("head"),
                    first_at=bindparam("first"), last_at=bindparam("last")),
                grown,
            )  # fmt: skip
        if empty:
            connection.execute(delete(_GROUPS).where(_GROUPS.c.id.in_(empty)))
        return sum(row["n"] for row in grown)
