"""Status signals: what an operator (or a worker) did to an alert, announced to every screen that shows it.

The alert stream carries what senders say (alert, update, cancel); an acknowledgement or an escalation is ours, and
a wall must hear of it as fast as of a new alert: its pop-up and flashing border end once someone has acknowledged
the alert anywhere. Signals go on a stream of their own (`<alerts stream>:status`), read by the same shared reader
as the alerts (dashboards/_alert_hub.py), so the persist worker and the alert contract are untouched. Each entry is
flat strings: `source` and `id` (the alert's identity), `stream_id` (the entry it came in), `status`, `district`.
"""

from __future__ import annotations

from collections.abc import Iterable

import redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.store import Alert

STATUS_MAXLEN = 10_000  # a screen only ever needs the signals since it opened
CLOSING = ("acknowledged", "silenced", "resolved")  # someone is on it: the alarm on the wall may stop


def status_stream(alerts_stream: str) -> str:
    """The signals' stream beside the alerts'."""
    return f"{alerts_stream}:status"


def signals(session: Session, alert: Alert) -> list[dict[str, str]]:
    """The signal for `alert` and for each member of the storm group it heads, as they stand now (an action applies
    to the whole group, so each member's pop-up must close too)."""
    members: Iterable[Alert] = [alert]
    if alert.group_id is not None:
        members = session.scalars(select(Alert).where(Alert.group_id == alert.group_id)).all()
    return [{"source": member.source, "id": member.alert_id, "stream_id": member.stream_id, "status": member.status,
             "district": member.district or ""} for member in members]


def announce(client: redis.Redis, alerts_stream: str, entries: Iterable[dict[str, str]]) -> None:
    """Put the signals on the status stream, after the change is committed (a screen acts on them at once)."""
    for fields in entries:
        client.xadd(status_stream(alerts_stream), fields, maxlen=STATUS_MAXLEN, approximate=True)  # type: ignore[arg-type]
