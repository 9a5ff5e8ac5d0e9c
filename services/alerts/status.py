"""Status signals: what an operator (or a worker) did to an alert, announced to every screen that shows it.

The alert stream carries what senders say (alert, update, cancel); an acknowledgement or an escalation is ours, and
a wall must hear of it as fast as of a new alert: its pop-up and flashing border end once someone has acknowledged
the alert anywhere. Signals go on a stream of their own (`<alerts stream>:status`), read by the same shared reader
as the alerts (dashboards/_alert_hub.py), so the persist worker and the alert contract are untouched. Each entry is
flat strings: `source` and `id` (the alert's identity), `stream_id` (the entry it came in), `status`, `district`,
`group` (the storm key of the group it heads, or '').

The same stream carries `written` signals (`kind` = written, `tables`: what a commit wrote that walls draw live,
services/platform/announce.py): they name no alert, so the alert-status readers pass them by.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import redis

from services.alerts.storm import storm_key
from services.store import Alert

STATUS_MAXLEN = 10_000  # a screen only ever needs the signals since it opened
CLOSING = ("acknowledged", "silenced", "resolved")  # someone is on it: the alarm on the wall may stop


def status_stream(alerts_stream: str) -> str:
    """The signals' stream beside the alerts'."""
    return f"{alerts_stream}:status"


def signal(alert: Alert) -> dict[str, str]:
    """The signal for `alert` as it stands now. An action applies to the whole storm group the alert heads, so the
    signal names the group too (`group`, its storm key): a screen closes the pop-up of any member with one signal,
    however large the storm."""
    group = storm_key({"event": alert.event, "district": alert.district, "severity": alert.severity})
    return {"source": alert.source, "id": alert.alert_id, "stream_id": alert.stream_id, "status": alert.status,
            "district": alert.district or "", "group": group if alert.group_id is not None else ""}


def written(tables: Iterable[str]) -> dict[str, str]:
    """The signal that a commit wrote `tables` (comma-separated, sorted)."""
    return {"kind": "written", "tables": ",".join(sorted(tables))}


def wrote(fields: Mapping[str, str], table: str) -> bool:
    """Whether a status-stream entry is a `written` signal naming `table`."""
    return fields.get("kind") == "written" and table in fields.get("tables", "").split(",")


def announce(client: redis.Redis, alerts_stream: str, entries: Iterable[dict[str, str]]) -> None:
    """Put the signals on the status stream, after the change is committed (a screen acts on them at once)."""
    for fields in entries:
        client.xadd(status_stream(alerts_stream), fields, maxlen=STATUS_MAXLEN, approximate=True)  # type: ignore[arg-type]
