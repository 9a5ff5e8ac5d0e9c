"""Alert storms: the same event in the same district at the same severity within a window is one group with a count.

A flood of one sensor's alarms must not push every other alert off the wall. The persist worker stores the groups
(`alert_groups`, `alerts.group_id`) for the console; the wall's push loop folds its ticker with the same key and
window, so both screens show one row "×N" instead of N rows. A change of severity starts a new group, so an
escalation is never hidden inside a count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, bindparam, select, update

from services.db import Alert, AlertGroup

DEFAULT_WINDOW = timedelta(minutes=10)
_ALERTS: Table = Alert.__table__  # type: ignore[assignment]
_GROUPS: Table = AlertGroup.__table__  # type: ignore[assignment]


def storm_key(fields: Mapping[str, Any]) -> str:
    """event | district (or '-') | severity: what makes two alerts "the same" for grouping."""
    return f"{fields.get('event', '')}|{fields.get('district') or '-'}|{fields.get('severity', 'unknown')}"


def sent_time(fields: Mapping[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(fields.get("sent", ""))).astimezone(UTC)
    except ValueError:
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


def assign_groups(connection: Connection, alert_ids: Iterable[str], window: timedelta = DEFAULT_WINDOW) -> int:
    """Put each stored alert of `alert_ids` that has no group yet into its storm group (created when none is open
    within the window); idempotent, so a redelivered batch changes nothing. Returns how many alerts were grouped.

    A fixed number of statements per batch, not three per alert (the persist worker's budget is 5 000 alerts a
    second): the open groups of the batch's keys are read once, the batch is folded in memory, and the new groups,
    the grown counts and the alerts' group ids are written with one executemany each."""
    rows = connection.execute(
        select(_ALERTS.c.id, _ALERTS.c.event, _ALERTS.c.district, _ALERTS.c.severity, _ALERTS.c.sent_at)
        .where(_ALERTS.c.alert_id.in_(list(alert_ids)), _ALERTS.c.group_id.is_(None), _ALERTS.c.msg_type == "alert")
        .order_by(_ALERTS.c.sent_at, _ALERTS.c.id)
    ).all()
    if not rows:
        return 0
    keyed = [(pk, storm_key({"event": e, "district": d, "severity": s}), sent) for pk, e, d, s, sent in rows]
    first, last = keyed[0][2], keyed[-1][2]
    groups: dict[str, list[_OpenGroup]] = {}
    for found in connection.execute(
        select(_GROUPS.c.id, _GROUPS.c.key, _GROUPS.c.first_at, _GROUPS.c.last_at)
        .where(_GROUPS.c.key.in_({key for _, key, _ in keyed}), _GROUPS.c.last_at >= first - window,
               _GROUPS.c.first_at <= last + window)
    ):
        groups.setdefault(found.key, []).append(_OpenGroup(found.key, found.id, found.first_at, found.last_at))
    members: list[tuple[int, _OpenGroup]] = []
    for alert_pk, key, sent_at in keyed:
        candidates = [g for g in groups.get(key, []) if g.last_at >= sent_at - window and g.first_at <= sent_at + window]
        if candidates:
            group = max(candidates, key=lambda g: g.last_at)
            group.added += 1
            group.last_at = max(group.last_at, sent_at)
        else:
            group = _OpenGroup(key, None, sent_at, sent_at, head=alert_pk)
            groups.setdefault(key, []).append(group)
        members.append((alert_pk, group))
    new = [g for found in groups.values() for g in found if g.id is None]
    if new:
        ids = connection.execute(
            _GROUPS.insert().returning(_GROUPS.c.id, sort_by_parameter_order=True),
            [{"key": g.key, "head_alert_id": g.head, "count": g.added + 1, "first_at": g.first_at,
              "last_at": g.last_at} for g in new],
        ).scalars().all()
        for group, group_id in zip(new, ids, strict=True):
            group.id = group_id
    grown = [{"gid": g.id, "n": g.added, "last": g.last_at} for found in groups.values() for g in found
             if g.head is None and (g.added or g.last_at != g.stored_last)]
    if grown:
        connection.execute(update(_GROUPS).where(_GROUPS.c.id == bindparam("gid"))
                           .values(count=_GROUPS.c.count + bindparam("n"), last_at=bindparam("last")), grown)
    connection.execute(update(_ALERTS).where(_ALERTS.c.id == bindparam("pk")).values(group_id=bindparam("gid")),
                       [{"pk": alert_pk, "gid": group.id} for alert_pk, group in members])
    return len(rows)


@dataclass
class _OpenGroup:
    """A storm group as a batch folds into it: how many of the batch's alerts it took and its newest time; a group
    the batch opens has no id until it is inserted, and its first alert as `head`."""

    key: str
    id: int | None
    first_at: datetime
    last_at: datetime
    head: int | None = None
    stored_last: datetime | None = None
    added: int = 0

    def __post_init__(self) -> None:
        if self.stored_last is None:
            self.stored_last = self.last_at
