"""POST /api/v1/readings: array, NDJSON, CSV and FIWARE notifications, through the whole app on both backends."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.api.ingest_app import EVENTS, READINGS, ingest_client  # noqa: F401 (the `client` fixture)

ROWS = [{"indicator": "aqi", "area": "city", "time": "2026-12-01T09:00:00+08:00", "value": 86},
        {"indicator": "pm25", "area": "350203", "time": "2026-12-01T09:00:00+08:00", "value": 41.5}]


def post(client: TestClient, body: bytes | str, content_type: str, headers=READINGS):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/readings", content=body, headers={**headers, "Content-Type": content_type})


def test_array_ndjson_and_csv_with_a_bad_row_and_a_correction(client: TestClient) -> None:
    assert post(client, json.dumps(ROWS), "application/json").json() == {"accepted": 2, "updated": 0, "refused": []}
    ndjson = "\n".join(json.dumps({**ROWS[0], "time": f"2026-12-01T09:0{n}:00+08:00"}) for n in range(1, 4))
    assert post(client, ndjson, "application/x-ndjson").json()["accepted"] == 3
    csv = ("indicator,area,time,value\naqi,city,2026-12-01T09:00:00+08:00,90\n"
           "aqi,350299,2026-12-01T09:00:00+08:00,1\nnoise,350206,2026-12-01T09:00:00+08:00,55\n")
    answer = post(client, csv.encode("utf-8-sig"), "text/csv").json()
    assert (answer["accepted"], answer["updated"]) == (1, 1)
    assert answer["refused"] == [{"row": 2, "field": "area",
                                  "reason": "unknown area '350299': use 'city' or a district adcode"}]


def test_a_fiware_notification_is_mapped(client: TestClient) -> None:
    notification = {"subscriptionId": "s1", "data": [{
        "id": "AirQualityObserved:1", "type": "AirQualityObserved", "aqi": {"type": "Number", "value": 70},
        "dateObserved": {"type": "DateTime", "value": "2026-12-01T01:00:00Z"},
        "location": {"type": "geo:json", "value": {"type": "Point", "coordinates": [118.0894, 24.4798]}}}]}
    assert post(client, json.dumps(notification), "application/json").json()["accepted"] == 1


def test_the_readings_scope_is_needed(client: TestClient) -> None:
    refused = post(client, json.dumps(ROWS), "application/json", EVENTS)
    assert refused.status_code == 403 and "readings.write" in refused.json()["reason"]
