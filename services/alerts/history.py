"""The stored alerts a live screen opens on: its recent history, when the stream alone holds too little.

The stream is the live feed, but it does not always hold the past: the embedded Redis starts empty with every
restart, and a trimmed stream forgets. The store keeps every alert, so a wall opened after a restart shows the
latest alerts as they stand (with their status) instead of the one alert that arrived since.
"""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.access import CITY_WIDE, Scope
from services.alerts.stream import Entry
from services.store import Alert


def stored_entries(session: Session, *, limit: int, scope: Scope = CITY_WIDE) -> list[Entry]:
    """The newest `limit` stored messages the scope may see, oldest first, as stream entries (keyed by the stream id
    they came in) with two fields the stream does not carry: `status` and `received` (ISO 8601, UTC), and the
    sender's `expires` (empty when it gave none), so an expired alert leaves a screen opened from the store too."""
    newest = session.scalars(
        select(Alert).where(scope.district_filter(Alert.district)).order_by(Alert.id.desc()).limit(limit)
    ).all()
    return [(alert.stream_id, _fields(alert)) for alert in reversed(newest)]


def _fields(alert: Alert) -> dict[str, str]:
    received = alert.received_at or alert.sent_at
    return {"id": alert.alert_id, "source": alert.source, "sent": alert.sent_at.isoformat(),
            "severity": alert.severity, "category": alert.category, "event": alert.event,
            "headline": alert.headline, "district": alert.district or "", "msg_type": alert.msg_type,
            "references": alert.references or "", "status": alert.status,
            "expires": alert.expires_at.astimezone(UTC).isoformat() if alert.expires_at else "",
            "received": received.astimezone(UTC).isoformat()}
