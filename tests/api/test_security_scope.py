"""Two signed-in users with different scopes never see each other's rows, and personal data is masked by role —
through the real /events page callbacks over HTTP (detail panel and export), with the query cache in between."""

from __future__ import annotations

import base64
import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import dash
import pytest
from fastapi.testclient import TestClient

from services import audit
from services.access import Role
from services.store import Event
from services.store.catalog import install_catalog
from tests.api import security_client
from tests.api.security_client import SAME_ORIGIN, sign_in

client = security_client.client  # the shared fixture
secure_app = security_client.secure_app  # the shared fixture

STATE = {"status": [], "category": [], "district": [], "department": [], "start": None, "end": None,
         "view": "districts", "colour": "status", "drill": None, "lang": "zh-CN"}  # fmt: skip


@pytest.fixture
def two_events(secure_app: dash.Dash) -> dict[str, int]:
    """One event in Siming (350203) and one in Haicang (350205), each with a reporter's name and phone."""
    rt = secure_app.server.state.runtime
    now = datetime.now(UTC)
    with rt.sessions() as session:
        install_catalog(session, districts=rt.city.rows())
        rows = {district: Event(category="environment", source="hotline", severity="minor", district=district,
                                description=f"event in {district}", reported_at=now - timedelta(hours=1),
                                status="registered", reporter_name=name, reporter_phone=phone, out_of_city=False)
                for district, name, phone in [("350203", "张三", "13812341234"), ("350205", "欧阳娜娜", "13900001111")]}  # fmt: skip
        session.add_all(rows.values())
        session.commit()
        return {district: event.id for district, event in rows.items()}


def _call(client: TestClient, output: str, inputs: list[dict[str, Any]], state: list[dict[str, Any]]) -> Any:
    outputs: Any = [dict(zip(("id", "property"), part.split("."), strict=True))
                    for part in output.strip(".").split("...")]
    if not output.startswith(".."):  # a single output is sent as one object
        outputs = outputs[0]
    answer = client.post("/_dash-update-component", headers=SAME_ORIGIN, json={
        "output": output, "outputs": outputs, "inputs": inputs, "state": state,
        "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"]})  # fmt: skip
    assert answer.status_code == 200, answer.text
    return answer.json()["response"]


def _detail(client: TestClient, event_id: int) -> str:
    response = _call(client, "..event-detail-body.children...event-timeline.figure...event-detail.is_open..."
                             "events-sv-subject.data..",
                     [{"id": "events-selected", "property": "data", "value": event_id}],
                     [{"id": "events-state", "property": "data", "value": STATE}])  # fmt: skip
    return str(response["event-detail-body"]["children"])


def _export(client: TestClient) -> list[dict[str, str]]:
    response = _call(client, "events-download.data",
                     [{"id": "events-export-csv", "property": "n_clicks", "value": 1},
                      {"id": "events-export-xlsx", "property": "n_clicks", "value": None}],
                     [{"id": "events-state", "property": "data", "value": STATE}])  # fmt: skip
    download = response["events-download"]["data"]
    text = base64.b64decode(download["content"]).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_event_detail_masks_contacts_unless_the_role_calls_people_back(
    client: TestClient, two_events: dict[str, int]
) -> None:
    sign_in(client, Role.OPERATOR)
    shown = _detail(client, two_events["350203"])
    assert "张三" in shown and "13812341234" in shown
    sign_in(client, Role.ANALYST)
    shown = _detail(client, two_events["350203"])
    assert "张*" in shown and "138****1234" in shown
    assert "张三" not in shown and "13812341234" not in shown


def test_a_scoped_analyst_sees_only_their_district_in_the_detail_and_the_export(
    client: TestClient, two_events: dict[str, int]
) -> None:
    for _ in range(2):  # twice, so the second round is served by any cache the first one filled
        sign_in(client, "analyst-siming")
        assert "event in 350203" in _detail(client, two_events["350203"])
        assert "event in 350205" not in _detail(client, two_events["350205"])
        siming = _export(client)
        sign_in(client, Role.ANALYST)
        city = _export(client)
        assert "event in 350205" in _detail(client, two_events["350205"])
        assert len(siming) == 1 and len(city) == 2
        for row in siming + city:  # exports carry no personal data for any role
            assert not any(secret in value for value in row.values()
                           for secret in ("张三", "欧阳娜娜", "13812341234", "13900001111"))  # fmt: skip
    with client.app.state.runtime.sessions() as session:  # type: ignore[attr-defined]
        exports = [(entry.actor, entry.role) for entry in audit.recent(session, action="export.events")]
    assert exports == [("analyst", "analyst"), ("analyst-siming", "analyst")] * 2
