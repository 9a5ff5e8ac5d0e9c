"""A push token is a source: each batch it sends is counted on the data-source registry (/sources)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from services.sources import source_statuses
from tests.api.ingest_app import EVENTS, ingest_client  # noqa: F401 (the `client` fixture)

EVENT = {"external_id": "SW-1", "category": "waterlogging", "title": "湖滨南路积水",
         "reported_at": "2026-12-01T09:30:00+08:00", "lon": 118.0894, "lat": 24.4798}


def test_each_pushed_batch_is_a_delivery_of_its_token(client: TestClient) -> None:
    headers = {**EVENTS, "Content-Type": "application/json"}
    client.post("/api/v1/events", content=json.dumps([EVENT, {**EVENT, "external_id": "SW-2", "lat": "x"}]),
                headers=headers)
    client.post("/api/v1/events", content=json.dumps(EVENT), headers=headers)
    rt = client.app.state.runtime  # type: ignore[attr-defined]
    with rt.sessions() as session:
        statuses = {s.id: s for s in source_statuses(session, now=datetime.now(UTC), zone=ZoneInfo("UTC"))}
    hotline = statuses["hotline"]  # the token's name
    assert (hotline.kind, hotline.targets, hotline.state) == ("push", ("events",), "on_time")
    assert (hotline.rows_today, hotline.refused_7d) == (2, 1)  # one accepted, then one updated; one refused
