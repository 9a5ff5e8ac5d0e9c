"""POST /api/v1/events in every format, the read-back with masking, lifecycle moves and out-of-order dispatch
progress, on both backends through the whole app (middleware, scopes, limits)."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.api.ingest_app import EVENTS, FULL, READINGS, ingest_client  # noqa: F401 (the `client` fixture)

EVENT = {"external_id": "SW-1", "source": "water-bureau", "category": "waterlogging", "title": "湖滨南路积水",
         "reported_at": "2026-12-01T09:30:00+08:00", "lon": 118.0894, "lat": 24.4798, "reporter_name": "张三",
         "reporter_phone": "13812341234", "priority": "high"}
CSV = ("external_id,category,title,reported_at,address,district,reporter_name\n"
       "C-1,waterlogging,地下通道积水,2026-12-01T09:30:00+08:00,湖滨南路地下通道,350203,李四\n"
       "C-2,ufo,不明飞行物,2026-12-01T09:31:00+08:00,环岛路,350203,王五\n"
       "C-3,facilities,井盖缺失,2026-12-01T09:32:00+08:00\n")


def post(client: TestClient, body: bytes | str, content_type: str, headers=EVENTS):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/events", content=body, headers={**headers, "Content-Type": content_type})


def test_one_object_an_array_and_ndjson_are_idempotent(client: TestClient) -> None:
    assert post(client, json.dumps(EVENT), "application/json").json() == {"accepted": 1, "updated": 0, "refused": []}
    batch = [EVENT, {**EVENT, "external_id": "SW-2"}]
    assert post(client, json.dumps(batch), "application/json").json() == {"accepted": 1, "updated": 1, "refused": []}
    ndjson = "\n".join(json.dumps({**EVENT, "external_id": f"N-{n}"}) for n in range(3))
    assert post(client, ndjson, "application/x-ndjson").json()["accepted"] == 3


def test_gbk_and_bom_csv_of_chinese_text_with_a_bad_row_and_a_short_line(client: TestClient) -> None:
    for encoding, prefix in (("gbk", "G"), ("utf-8-sig", "B")):
        body = CSV.replace("C-", f"{prefix}-").encode(encoding)
        answer = post(client, body, "text/csv; charset=" + encoding).json()
        assert answer["accepted"] == 1 and answer["updated"] == 0
        assert [(r["row"], r["field"]) for r in answer["refused"]] == [(2, "category"), (3, "row")]
        assert "line 4" in answer["refused"][1]["reason"]
    record = client.get("/api/v1/events/hotline/G-1", headers=FULL).json()
    assert record["title"] == "地下通道积水" and record["district"] == "350203" and record["reporter_name"] == "李四"


def test_read_back_masks_personal_data_unless_the_token_may_see_it(client: TestClient) -> None:
    post(client, json.dumps(EVENT), "application/json")
    masked = client.get("/api/v1/events/water-bureau/SW-1", headers=EVENTS).json()
    assert (masked["reporter_name"], masked["reporter_phone"]) == ("张*", "138****1234")
    assert masked["status"] == "reported" and masked["district"] == "350203" and masked["dispatches"] == []
    full = client.get("/api/v1/events/water-bureau/SW-1", headers=FULL).json()
    assert (full["reporter_name"], full["reporter_phone"]) == ("张三", "13812341234")
    assert client.get("/api/v1/events/water-bureau/nope", headers=EVENTS).status_code == 404


def test_lifecycle_moves_and_out_of_order_dispatch_progress(client: TestClient) -> None:
    post(client, json.dumps(EVENT), "application/json")
    base = "/api/v1/events/water-bureau/SW-1"
    refused = client.post(f"{base}/transitions", json={"to": "closed"}, headers=EVENTS)
    assert refused.status_code == 409 and refused.json()["error"] == "not_allowed"
    assert client.post(f"{base}/transitions", json={"to": "registered"}, headers=EVENTS).status_code == 200
    moved = client.post(f"{base}/transitions", json={"to": "dispatched", "departments": ["water", "urban_mgmt"]},
                        headers=EVENTS).json()
    assert moved["status"] == "dispatched" and [h["by"] for h in moved["history"]] == ["api:hotline"] * 2
    arrived = client.post(f"{base}/dispatches/water", json={"stage": "arrived", "at": "2026-12-01T10:10:00+08:00",
                                                            "note": "已到场"}, headers=EVENTS).json()
    water = next(d for d in arrived["dispatches"] if d["department"] == "water")
    assert water["status"] == "arrived" and water["accepted_at"] is None and water["note"] == "已到场"
    late = client.post(f"{base}/dispatches/water", json={"stage": "accepted", "at": "2026-12-01T10:00:00+08:00"},
                       headers=EVENTS).json()
    water = next(d for d in late["dispatches"] if d["department"] == "water")
    assert water["status"] == "arrived" and water["accepted_at"].startswith("2026-12-01T02:00")
    assert water["arrived_at"].startswith("2026-12-01T02:10")
    stranger = client.post(f"{base}/dispatches/fire", json={"stage": "accepted"}, headers=EVENTS)
    assert stranger.status_code == 409 and stranger.json()["field"] == "department"


def test_wrong_token_scope_type_and_size_are_named(client: TestClient) -> None:
    assert post(client, "{}", "application/json", {"Authorization": "Bearer nope"}).status_code == 401
    scoped = post(client, "{}", "application/json", READINGS)
    assert scoped.status_code == 403 and "events.write" in scoped.json()["reason"]
    typed = post(client, "<x/>", "application/xml")
    assert typed.status_code == 415 and typed.json()["field"] == "Content-Type"
    limit = client.app.state.runtime.settings.ingest_max_bytes
    big = client.post("/api/v1/events", content=b"[]", headers={**EVENTS, "Content-Type": "application/json",
                                                                  "Content-Length": str(limit + 1)})
    assert big.status_code == 413 and str(limit) in big.json()["reason"]
    broken = post(client, '[{"a": 1},\n{', "application/json")
    assert broken.status_code == 400 and broken.json()["field"] == "line 2"


def test_every_push_body_is_documented_with_examples(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/v1/events", "/api/v1/readings", "/api/v1/applications"):
        content = paths[path]["post"]["requestBody"]["content"]
        assert {"application/json", "text/csv"} <= set(content) and all("example" in c for c in content.values())


def test_the_documented_examples_are_the_deployments_city_and_are_accepted(client: TestClient) -> None:
    """The OpenAPI examples name no city of their own: a district, a point and a category of the running pack,
    stored as they stand when posted."""
    content = client.get("/openapi.json").json()["paths"]["/api/v1/events"]["post"]["requestBody"]["content"]
    example, csv_body = content["application/json"]["example"][0], content["text/csv"]["example"]
    district = csv_body.splitlines()[1].split(",")[6]
    assert district == "350203" and example["category"] == "city_appearance"  # the default pack's first ones
    assert post(client, json.dumps(example), "application/json").json()["accepted"] == 1
    assert post(client, csv_body, "text/csv").json() == {"accepted": 1, "updated": 0, "refused": []}
    assert client.get("/api/v1/events/water-bureau/SW-20261201-0042", headers=FULL).json()["district"] is not None
