"""Faults answered as they should (issue 17, point 6): crafted and malformed input is a 4xx naming what is wrong,
unknown API paths are a JSON 404, never a 500 or Dash's page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import dash
import jsonschema_rs
import pytest
from fastapi.testclient import TestClient

from services.access import Role
from tests.api import security_client
from tests.api.security_client import API_TOKEN, SAME_ORIGIN, sign_in

client = security_client.client  # the shared fixture
secure_app = security_client.secure_app  # the shared fixture

BEARER = {"Authorization": f"Bearer {API_TOKEN}"}
DEEP = b"[" * 100_000 + b"]" * 100_000
FIWARE_EXAMPLES = Path(__file__).parents[1] / "services" / "alerts" / "data" / "fiware"


def _callback(output: str, outputs: list[dict[str, str]], inputs: list[dict[str, Any]],
              state: list[dict[str, Any]], changed: str) -> dict[str, Any]:  # fmt: skip
    return {"output": output, "outputs": outputs, "inputs": inputs, "state": state, "changedPropIds": [changed]}


def _store(component: str, value: Any) -> dict[str, Any]:
    return {"id": component, "property": "data", "value": value}


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/alerts/x/y", "/open311/v2/nothing.json"])
def test_an_unknown_api_path_is_a_json_404_not_the_dash_page(client: TestClient, path: str) -> None:
    answer = client.get(path, headers=BEARER)
    assert answer.status_code == 404, answer.text
    if path.startswith("/open311/"):  # in the Open311 spec's own error form
        assert answer.json()[0]["code"] == 404 and path in answer.json()[0]["description"]
    else:
        assert answer.json()["field"] == "path"


@pytest.mark.parametrize("since", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "0.5", "tomorrow",
                                   "2026-11-23T08:00:00"])  # fmt: skip
def test_an_out_of_range_or_non_iso_since_is_a_422_naming_since(client: TestClient, since: str) -> None:
    answer = client.get("/api/v1/alerts", params={"since": since}, headers=BEARER)
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "since"


def test_a_valid_since_still_lists_alerts(client: TestClient) -> None:
    answer = client.get("/api/v1/alerts", params={"since": "2026-11-23T08:00:00+08:00"}, headers=BEARER)
    assert answer.status_code == 200 and answer.json()["count"] == 0


def test_deeply_nested_json_is_a_400_on_the_api(client: TestClient) -> None:
    answer = client.post("/api/v1/alerts", content=DEEP, headers={**BEARER, "Content-Type": "application/json"})
    assert answer.status_code == 400 and answer.json()["field"] == "body"


def test_deeply_nested_json_is_a_400_on_a_callback(client: TestClient) -> None:
    sign_in(client, Role.ANALYST)
    answer = client.post("/_dash-update-component", content=DEEP,
                         headers={**SAME_ORIGIN, "Content-Type": "application/json"})  # fmt: skip
    assert answer.status_code == 400 and answer.json()["field"] == "body"


EVENTS_STATE = {"status": [], "category": [], "district": [], "department": [], "start": None, "end": None,
                "drill": None, "lang": "zh-CN"}  # fmt: skip
def _events_table(state: dict[str, Any], sort_model: Any = None, **block: Any) -> dict[str, Any]:
    """The grid's block request for the events table, as the page's browser side hands it on."""
    wanted = {"startRow": 0, "endRow": 25, "sortModel": sort_model or [], "at": 1, **block}
    return _callback("events-table.getRowsResponse", {"id": "events-table", "property": "getRowsResponse"},
                     [_store("events-rows-wanted", wanted)], [_store("events-state", state)],
                     "events-rows-wanted.data")


@pytest.mark.parametrize("crafted", [{"status": ["nonsense"]}, {"start": "yesterday-ish"},
                                     {"end": "9999-12-31T23:59:59-14:00"}])  # fmt: skip
def test_crafted_events_filter_state_is_a_400(client: TestClient, crafted: dict[str, Any]) -> None:
    sign_in(client, Role.ANALYST)
    answer = client.post("/_dash-update-component", json=_events_table({**EVENTS_STATE, **crafted}),
                         headers=SAME_ORIGIN)  # fmt: skip
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "invalid callback input"


def test_a_crafted_grid_block_request_is_a_400(client: TestClient) -> None:
    sign_in(client, Role.ANALYST)
    assert client.post("/_dash-update-component", json=_events_table(EVENTS_STATE), headers=SAME_ORIGIN
                       ).status_code == 200  # the grid's own request
    for crafted, said in [({"sort_model": [{"colId": "password_hash", "sort": "asc"}]}, "sort_by"),
                          ({"sort_model": [{"colId": "title", "sort": "sideways"}]}, "getRowsRequest"),
                          ({"sort_model": "title"}, "getRowsRequest"), ({"startRow": "x"}, "getRowsRequest"),
                          ({"startRow": 0, "endRow": 10_000_000}, "getRowsRequest")]:
        answer = client.post("/_dash-update-component", json=_events_table(EVENTS_STATE, **crafted),
                             headers=SAME_ORIGIN)
        assert answer.status_code == 400 and said in answer.json()["reason"], (crafted, answer.text)


def _download(page: str, state: dict[str, Any]) -> dict[str, Any]:
    return _callback(f"{page}-download.data", [{"id": f"{page}-download", "property": "data"}],
                     [{"id": f"{page}-export-csv", "property": "n_clicks", "value": 1},
                      {"id": f"{page}-export-xlsx", "property": "n_clicks", "value": None}],
                     [_store(f"{page}-state", state)], f"{page}-export-csv.n_clicks")  # fmt: skip


@pytest.mark.parametrize(("page", "state"), [
    ("apv", {"days": "100000000", "department": None, "matter": None, "lang": "zh-CN"}),
    ("ind", {"code": "no-such-indicator", "range": "7d", "district": None, "lang": "zh-CN"}),
    ("ind", {"code": "aqi", "range": "forever", "district": None, "lang": "zh-CN"}),
])  # fmt: skip
def test_crafted_export_state_is_a_400(client: TestClient, page: str, state: dict[str, Any]) -> None:
    sign_in(client, Role.ANALYST)
    answer = client.post("/_dash-update-component", json=_download(page, state), headers=SAME_ORIGIN)
    assert answer.status_code == 400, answer.text


def test_a_refused_action_is_a_403_not_a_500(client: TestClient, secure_app: dash.Dash) -> None:
    sign_in(client, Role.ANALYST)  # an analyst may open /events but may not move an event
    key = next(key for key in secure_app.callback_map if "event-act-message.children" in key)
    spec = secure_app.callback_map[key]
    values = {"event-act-register.n_clicks": 1, "events-selected.data": 1, "events-state.data": EVENTS_STATE}
    body = {"output": key, "changedPropIds": ["event-act-register.n_clicks"],
            "outputs": [{"id": part.split(".")[0], "property": part.split(".", 1)[1]}
                        for part in key.strip(".").split("...")],
            "inputs": [{**item, "value": values.get(f"{item['id']}.{item['property']}")} if "{" not in item["id"]
                       else [] for item in spec["inputs"]],
            "state": [{**item, "value": values.get(f"{item['id']}.{item['property']}")} for item in spec["state"]]}
    answer = client.post("/_dash-update-component", json=body, headers=SAME_ORIGIN)
    assert answer.status_code == 403, answer.text


def test_a_405_allows_every_method_the_path_serves(client: TestClient) -> None:
    answer = client.request("OPTIONS", "/api/v1/alerts", headers=BEARER)
    assert answer.status_code == 405
    assert {method.strip() for method in answer.headers["allow"].split(",")} == {"GET", "POST"}


def test_the_openapi_fiware_branch_describes_what_is_accepted(client: TestClient) -> None:
    """Every attribute of the model is named (others refused), with the types and limits the parser enforces."""
    body = client.get("/openapi.json").json()["paths"]["/api/v1/alerts"]["post"]["requestBody"]
    fiware = next(branch for branch in body["content"]["application/json"]["schema"]["oneOf"]
                  if branch.get("title") == "FIWARE Alert")  # fmt: skip
    assert fiware["additionalProperties"] is False
    assert {"id", "type", "category", "dateIssued", "alertSource", "location", "severity"} <= set(fiware["properties"])
    assert fiware["properties"]["category"]["enum"] and fiware["properties"]["type"] == {"const": "Alert"}
    example = json.loads((FIWARE_EXAMPLES / "Alert-example-keyvalues.json").read_text())
    jsonschema_rs.validate(fiware, example)
    assert client.post("/api/v1/alerts", json=example, headers=BEARER).status_code == 202


@pytest.mark.parametrize("location", [{"type": "AAA", "coordinates": [0.0, 0.0]},
                                      {"type": "Point", "coordinates": [118.1, True]}])  # fmt: skip
def test_a_fiware_location_that_is_no_geometry_is_a_422(client: TestClient, location: dict[str, Any]) -> None:
    """Found by schemathesis: an unknown geometry type was a 500, a boolean coordinate was stored as 1."""
    entity = {"id": "F-1", "type": "Alert", "category": "health", "dateIssued": "2026-11-23T08:00:00+08:00",
              "alertSource": "meteo", "location": location}  # fmt: skip
    answer = client.post("/api/v1/alerts", json=entity, headers=BEARER)
    assert answer.status_code == 422 and answer.json()["field"] == "location", answer.text
