"""The work orders' API through the whole app (middleware, tokens, scopes) on both backends: a batch taken with a
per-row report, read back masked unless the token may see personal data, worked on by a department's system bound
to its department, a 督办 answered; bad input a 4xx naming the field, never a 5xx."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from services import audit
from services.access import Principal, Role
from services.hotline import dispatch_order
from services.sources import SourceInfo, register_sources
from services.store import WorkOrder
from services.supervision import supervise
from tests.api.ingest_app import CALLS, EVENTS, FULL, ingest_client  # noqa: F401 (the `client` fixture)

OPERATOR = Principal("op1", Role.OPERATOR)
ORDER = {"external_id": "12345-0001", "channel": "phone", "urgency": "ordinary", "category": "water",
         "subcategory": "停水", "title": "小区停水", "description": "幸福小区3号楼停水一天了", "lon": 118.0894,
         "lat": 24.4798, "reporter_name": "张三", "reporter_phone": "13812341234",
         "reported_at": "2026-12-01T09:30:00+08:00"}


def _post(client: TestClient, rows: object, headers: dict[str, str] = FULL):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/hotline/orders", content=json.dumps(rows).encode(),
                       headers={**headers, "Content-Type": "application/json"})


@pytest.fixture
def order(client: TestClient) -> int:
    """One order taken and dispatched to water and urban management; the `callcenter` token acts for water."""
    assert _post(client, [ORDER]).json() == {"accepted": 1, "updated": 0, "refused": []}
    rt = client.app.state.runtime  # type: ignore[attr-defined]
    with rt.sessions() as session:
        register_sources(session, [SourceInfo(id="callcenter", name_zh="水务", name_en="Water", department="water",
                                              kind="push", target="work_orders", cadence_s=None)])
        order_id = session.scalar(select(WorkOrder.event_id))
        dispatch_order(session, order_id, ["water", "urban_mgmt"], principal=OPERATOR)
        session.commit()
    return order_id


def test_a_batch_is_taken_with_a_per_row_report(client: TestClient) -> None:
    rows = [ORDER, {**ORDER, "external_id": "2", "channel": "fax"}, {**ORDER, "external_id": "3", "urgency": "?"},
            {**ORDER, "external_id": "4", "reported_at": "2026-12-01 09:30"}]
    assert _post(client, rows).json() == {"accepted": 1, "updated": 0, "refused": [
        {"row": 2, "field": "channel", "reason": "unknown value 'fax'; use one of app, mini_program, phone, "
                                                 "province, web"},
        {"row": 3, "field": "urgency", "reason": "unknown value '?'; use one of ordinary, urgent"},
        {"row": 4, "field": "reported_at", "reason": "needs a UTC offset, e.g. 2026-12-01T09:30:00+08:00 (got "
                                                     "'2026-12-01 09:30')"}]}
    assert _post(client, [ORDER]).json()["updated"] == 1
    csv = ("external_id,channel,urgency,category,title,reported_at,address,district,reporter_phone\n"
           "C-1,电话,紧急,water,停水,2026-12-01T09:30:00+08:00,人民路100号,350203,13812341234\n")
    answer = client.post("/api/v1/hotline/orders", content=csv.encode(), headers={**CALLS, "Content-Type": "text/csv"})
    assert answer.json() == {"accepted": 1, "updated": 0, "refused": []}
    ragged = client.post("/api/v1/hotline/orders", content=(csv + "C-2,电话,紧急\n").encode(),
                         headers={**CALLS, "Content-Type": "text/csv"}).json()
    assert (ragged["updated"], [(r["row"], r["field"]) for r in ragged["refused"]]) == (1, [(2, "row")])
    assert _post(client, [1, 2]).status_code == 400
    assert _post(client, [ORDER], EVENTS).status_code == 403  # events.write is not hotline.write


def test_an_order_reads_back_masked_unless_the_token_may_see_personal_data(client: TestClient, order: int) -> None:
    full = client.get(f"/api/v1/hotline/orders/{order}", headers=FULL).json()
    assert (full["reporter_name"], full["reporter_phone"], full["status"]) == ("张三", "13812341234", "dispatched")
    assert full["reply_due_at"].startswith("2026-12-08T01:30") and full["channel"] == "phone"
    assert [part["department"] for part in full["dispatches"]] == ["urban_mgmt", "water"]
    masked = client.get(f"/api/v1/hotline/orders/{order}", headers=CALLS).json()
    assert (masked["reporter_name"], masked["reporter_phone"]) == ("张*", "138****1234")
    missing = client.get(f"/api/v1/hotline/orders/{order + 100}", headers=FULL)
    assert missing.status_code == 404 and missing.json()["field"] == "order_id"
    for bad in ("abc", "0", str(2**63)):
        answer = client.get(f"/api/v1/hotline/orders/{bad}", headers=FULL)
        assert (answer.status_code, answer.json()["field"]) == (422, "order_id")


def test_a_department_returns_reports_and_replies_for_its_own_part_only(client: TestClient, order: int) -> None:
    url = f"/api/v1/hotline/orders/{order}/actions"
    other = client.post(url, json={"action": "return", "department": "urban_mgmt", "text": "不是我们的"}, headers=CALLS)
    assert other.status_code == 404 and other.json()["field"] == "department"  # callcenter acts for water only
    returned = client.post(url, json={"action": "return", "department": "urban_mgmt", "text": "职责不符"},
                           headers=FULL).json()
    assert {part["department"]: part["status"] for part in returned["dispatches"]} == {"urban_mgmt": "returned",
                                                                                       "water": "dispatched"}
    arrived = client.post(url, json={"action": "progress", "stage": "arrived", "text": "到场"}, headers=CALLS).json()
    assert next(part for part in arrived["dispatches"] if part["department"] == "water")["status"] == "arrived"
    assert arrived["reporter_phone"] == "138****1234"
    replied = client.post(url, json={"action": "reply", "text": "已恢复供水"}, headers=CALLS).json()
    assert (replied["status"], replied["reply"]) == ("feedback", "已恢复供水")
    again = client.post(url, json={"action": "reply", "text": "再说一次"}, headers=CALLS)
    assert again.status_code == 409 and again.json()["error"] == "not_replyable"
    rt = client.app.state.runtime  # type: ignore[attr-defined]
    with rt.sessions() as session:
        [refused] = audit.recent(session, action="hotline.reply")[:1]
    assert (refused.outcome, refused.actor, refused.target) == ("refused", "api:callcenter", f"order:{order}")


def test_open311_reads_the_reply_as_status_notes_and_only_the_departments_working_on_it(client: TestClient,
                                                                                          order: int) -> None:
    url = f"/api/v1/hotline/orders/{order}/actions"
    client.post(url, json={"action": "return", "department": "urban_mgmt", "text": "职责不符"}, headers=FULL)
    [record] = client.get(f"/open311/v2/requests/{order}.json", headers=EVENTS).json()
    assert record["agency_responsible"] == "厦门水务集团" and record["status"] == "open"
    client.post(url, json={"action": "reply", "text": "已恢复供水"}, headers=CALLS)
    [record] = client.get(f"/open311/v2/requests/{order}.json", headers=EVENTS).json()
    assert record["status_notes"] == "已恢复供水"
    assert "13812341234" not in json.dumps(record, ensure_ascii=False)


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"action": "return", "department": "water"}, 422, "text"),
    ({"action": "return", "department": "water", "text": "  "}, 422, "text"),
    ({"action": "reply", "text": ""}, 422, "text"),
    ({"action": "progress", "department": "water"}, 422, "stage"),
    ({"action": "progress", "department": "water", "stage": "landed"}, 422, "stage"),
    ({"action": "progress", "stage": "arrived"}, 422, "department"),
    ({"action": "cancel"}, 422, "action"),
    ({"action": "reply", "text": "ok", "at": "2026-12-01 10:00"}, 422, "at"),
    ({"action": "return", "department": "police", "text": "x"}, 404, "department"),
])  # fmt: skip
def test_bad_actions_are_4xx_naming_the_field(client: TestClient, order: int, body, status, field) -> None:
    answer = client.post(f"/api/v1/hotline/orders/{order}/actions", json=body, headers=FULL)
    assert (answer.status_code, answer.json()["field"]) == (status, field)


def test_a_department_answers_its_supervision(client: TestClient, order: int) -> None:
    rt = client.app.state.runtime  # type: ignore[attr-defined]
    now = datetime.now(UTC)
    with rt.sessions() as session:
        water = supervise(session, subject="event", subject_id=order, department="water", instruction="请今日回复",
                          deadline=now + timedelta(hours=4), principal=Principal("leader1", Role.LEADER), now=now)
        urban = supervise(session, subject="event", subject_id=order, department="urban_mgmt", instruction="协助",
                          deadline=now + timedelta(hours=4), principal=Principal("leader1", Role.LEADER), now=now)
        session.commit()
    # callcenter holds hotline.* only: supervisions.write is a scope of its own
    assert client.post(f"/api/v1/supervisions/{water}/reply", json={"text": "已处理"}, headers=CALLS).status_code == 403
    answer = client.post(f"/api/v1/supervisions/{water}/reply", json={"text": "已处理"}, headers=FULL)
    assert answer.status_code == 200 and answer.json()["status"] == "replied"
    twice = client.post(f"/api/v1/supervisions/{water}/reply", json={"text": "再说"}, headers=FULL)
    assert (twice.status_code, twice.json()["error"]) == (409, "not_open")
    empty = client.post(f"/api/v1/supervisions/{urban}/reply", json={"text": ""}, headers=FULL)
    assert (empty.status_code, empty.json()["field"]) == (422, "text")
    missing = client.post("/api/v1/supervisions/999999/reply", json={"text": "x"}, headers=FULL)
    assert (missing.status_code, missing.json()["field"]) == (404, "supervision_id")
