"""Alerts stored the way production stores them: published on the real Redis stream and persisted by the worker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import redis
from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from services.alerts.persist import PersistWorker
from services.alerts.stream import publish
from services.config import Settings
from services.store import Alert, District

T0 = datetime(2024, 9, 15, 6, 30, tzinfo=UTC)


def alert(alert_id: str, minutes: float = 0, **changes: str) -> dict[str, str]:
    """A severe 台风 alert in 湖里区, sent `minutes` after T0."""
    return {
        "id": alert_id, "source": "test", "sent": (T0 + timedelta(minutes=minutes)).isoformat(), "severity": "severe",
        "urgency": "immediate", "certainty": "likely", "category": "met", "event": "台风", "district": "350206",
        "headline": f"台风橙色预警 {alert_id}", **changes,
    }  # fmt: skip


def add_districts(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(insert(District), [
            {"adcode": code, "name_zh": name, "name_en": name, "geometry": "{}"}
            for code, name in [("350203", "思明区"), ("350206", "湖里区")]])  # fmt: skip


def persist(settings: Settings, engine: Engine, client: redis.Redis, *entries: dict[str, str]) -> dict[str, Alert]:
    """Publish `entries`, run the persist worker until the stream is drained; the stored alerts by producer id."""
    for fields in entries:
        publish(client, settings.alerts_stream, fields, settings.stream_maxlen)
    worker = PersistWorker(settings, engine, client)
    while worker.run_once(block_ms=50) > 0:
        pass
    return stored(engine)


def stored(engine: Engine) -> dict[str, Alert]:
    with Session(engine) as session:
        return {row.alert_id: row for row in session.scalars(select(Alert))}
