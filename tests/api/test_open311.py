"""Open311 GeoReport v2 driven as the specification's examples do, in JSON and XML, through the whole app
(middleware, api_key, scopes) on both backends: services and their definitions, posting a request form-encoded
and as JSON, reading it back by id, by token and by filters, and every error in the spec's form."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

from fastapi.testclient import TestClient
from sqlalchemy import select

from services.store import WorkOrder
from tests.api.ingest_app import EVENTS, READINGS, ingest_client  # noqa: F401 (the `client` fixture)

SAMPLES = Path(__file__).parent / "data" / "open311"  # copied from shared/samples with their sources (.src.txt)
FORM = {"api_key": "events-token", "jurisdiction_id": "xiamen.gov.cn", "service_code": "facilities",
        "attribute[subcategory]": "井盖缺失", "lat": "24.4798", "long": "118.0894",
        "address_string": "思明区湖滨南路 100 号", "email": "zhang@example.cn", "device_id": "dev-7",
        "account_id": "acc-42", "first_name": "三", "last_name": "张", "phone": "13812341234",
        "description": "人行道井盖缺失，夜间危险", "media_url": "https://photos.example.cn/311/1.jpg"}
PERSONAL = ("张三", "13812341234", "zhang@example.cn", "dev-7", "acc-42")


def _post(client: TestClient, fields: dict[str, str], fmt: str = "json"):  # type: ignore[no-untyped-def]
    return client.post(f"/open311/v2/requests.{fmt}", data=fields)


def _xml(text: str) -> ElementTree.Element:
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    return ElementTree.fromstring(text.encode("utf-8"))


def test_the_service_list_is_the_category_catalog_in_json_and_xml(client: TestClient) -> None:
    services = client.get("/open311/v2/services.json?api_key=events-token").json()
    water = next(service for service in services if service["service_code"] == "water")
    assert water["service_name"] == "供水" and water["metadata"] is True and water["type"] == "realtime"
    assert "供水爆管" in water["keywords"].split(",") and "12 小时内办理" in water["description"]
    english = client.get("/open311/v2/services.json", headers={**EVENTS, "Accept-Language": "en"}).json()
    assert next(s for s in english if s["service_code"] == "water")["service_name"] == "Water supply"

    answer = client.get("/open311/v2/services.xml?api_key=events-token")
    assert answer.headers["content-type"].startswith("text/xml") and answer.status_code == 200
    root = _xml(answer.text)
    assert root.tag == "services" and {child.tag for child in root} == {"service"}
    assert len(root) == len(services) and root.findtext("service/metadata") == "true"


def test_a_service_definition_lists_its_subcategories_and_an_unknown_code_is_404_in_the_spec_form(
        client: TestClient) -> None:
    definition = client.get("/open311/v2/services/water.json", headers=EVENTS).json()
    attribute = definition["attributes"][0]
    assert definition["service_code"] == "water" and attribute["code"] == "subcategory"
    assert attribute["datatype"] == "singlevaluelist" and attribute["required"] is False
    assert [value["key"] for value in attribute["values"]] == ["供水爆管", "停水", "水质异常"]
    root = _xml(client.get("/open311/v2/services/water.xml", headers=EVENTS).text)
    assert root.tag == "service_definition" and root.findtext("attributes/attribute/values/value/key") == "供水爆管"

    missing = client.get("/open311/v2/services/potholes.json", headers=EVENTS)
    assert missing.status_code == 404
    assert missing.json() == [{"code": 404, "description": "service_code 'potholes' was not found"}]
    error = _xml(client.get("/open311/v2/services/potholes.xml", headers=EVENTS).text)
    assert error.tag == "errors" and error.findtext("error/code") == "404"


def test_a_form_encoded_request_is_stored_and_read_back_without_personal_data(client: TestClient) -> None:
    answer = _post(client, FORM)
    assert answer.status_code == 201, answer.text
    [created] = answer.json()
    request_id = created["service_request_id"]
    assert request_id.isdigit() and set(created) == {"service_request_id", "service_notice", "account_id"}

    for path in (f"/open311/v2/requests/{request_id}.json", f"/open311/v2/requests/{request_id}.xml"):
        body = client.get(path, headers=EVENTS).text
        assert not [secret for secret in PERSONAL if secret in body], path
    [record] = client.get(f"/open311/v2/requests/{request_id}.json", headers=EVENTS).json()
    assert record["status"] == "open" and record["status_notes"] == "上报"
    assert (record["service_code"], record["service_name"]) == ("facilities", "设施管理")
    assert (record["lat"], record["long"]) == (24.4798, 118.0894)
    assert record["media_url"] == FORM["media_url"] and record["description"] == FORM["description"]
    assert record["requested_datetime"].endswith("+08:00") and record["expected_datetime"] > record["requested_datetime"]


def test_a_request_has_the_specifications_fields_in_its_order_in_xml(client: TestClient) -> None:
    request_id = _post(client, FORM).json()[0]["service_request_id"]
    spec = ElementTree.parse(SAMPLES / "open311-spec-GET-requests-example.xml").getroot()
    ours = _xml(client.get(f"/open311/v2/requests/{request_id}.xml", headers=EVENTS).text)
    assert ours.tag == spec.tag == "service_requests"
    assert [child.tag for child in ours[0]] == [child.tag for child in spec[0]]


def test_a_json_request_with_a_bearer_token_and_an_address_naming_its_district(client: TestClient) -> None:
    body = {"service_code": "water", "address_string": "湖里区 金尚路 88 号", "description": "停水两天",
            "attribute": {"subcategory": "停水"}}
    answer = client.post("/open311/v2/requests.xml", content=json.dumps(body),
                         headers={**EVENTS, "Content-Type": "application/json"})
    assert answer.status_code == 201, answer.text
    request_id = _xml(answer.text).findtext("request/service_request_id")
    [record] = client.get(f"/open311/v2/requests/{request_id}.json", headers=EVENTS).json()
    assert record["address"] == "湖里区 金尚路 88 号" and record["lat"] is None


def test_a_token_resolves_to_its_request_id(client: TestClient, database_url: str) -> None:
    request_id = _post(client, FORM).json()[0]["service_request_id"]
    rt = client.app.state.runtime  # type: ignore[attr-defined]
    with rt.sessions() as session:
        token = session.scalar(select(WorkOrder.token).where(WorkOrder.event_id == int(request_id)))
    assert client.get(f"/open311/v2/tokens/{token}.json", headers=EVENTS).json() == [
        {"service_request_id": request_id, "token": token}]
    assert client.get("/open311/v2/tokens/nope.json", headers=EVENTS).status_code == 404


def test_requests_filter_by_id_list_code_status_and_dates(client: TestClient) -> None:
    first = _post(client, FORM).json()[0]["service_request_id"]
    second = _post(client, {**FORM, "service_code": "water", "attribute[subcategory]": "停水"}).json()[0][
        "service_request_id"]

    def ids(query: str) -> list[str]:
        answer = client.get(f"/open311/v2/requests.json?{query}", headers=EVENTS)
        assert answer.status_code == 200, answer.text
        return [record["service_request_id"] for record in answer.json()]

    assert ids("") == [second, first]  # newest first
    assert ids(f"service_request_id={first},{second}&service_code=water") == [second, first]  # ids win
    assert ids("service_code=water") == [second]
    assert ids("status=open") == [second, first] and ids("status=closed") == []
    assert ids("end_date=2020-01-01T00:00:00Z") == []
    assert ids("start_date=2020-01-01T00:00:00%2B08:00") == [second, first]


def test_bad_requests_are_the_specs_errors_naming_what_is_wrong(client: TestClient) -> None:
    cases = [({k: v for k, v in FORM.items() if k != "service_code"}, 400, "service_code was not provided"),
             ({**FORM, "service_code": "potholes"}, 400, "service_code 'potholes' was not found"),
             ({k: v for k, v in FORM.items() if k not in ("lat", "long", "address_string")}, 400, "a location"),
             ({**FORM, "lat": "north"}, 400, "lat 'north' is not a number"),
             ({**FORM, "attribute[subcategory]": "飞碟"}, 400, "attribute[subcategory]"),
             ({**FORM, "media_url": "javascript:alert(1)"}, 400, "media_url")]
    for fields, status, said in cases:
        answer = _post(client, fields)
        assert answer.status_code == status, (fields, answer.text)
        [error] = answer.json()
        assert error["code"] == status and said in error["description"]
    xml = _xml(_post(client, {**FORM, "service_code": ""}, "xml").text)
    assert xml.findtext("error/code") == "400" and "service_code" in (xml.findtext("error/description") or "")
    assert client.get("/open311/v2/requests.json?status=pending", headers=EVENTS).status_code == 400
    assert client.get("/open311/v2/requests.json?start_date=yesterday", headers=EVENTS).status_code == 400
    assert client.get("/open311/v2/requests/999999.json", headers=EVENTS).json() == [
        {"code": 404, "description": "service_request_id '999999' was not found"}]


def test_the_api_key_is_required_valid_and_scoped_and_refused_in_the_spec_form(client: TestClient) -> None:
    for fields in ({k: v for k, v in FORM.items() if k != "api_key"}, {**FORM, "api_key": "wrong"}):
        answer = _post(client, fields)
        assert answer.status_code == 403 and answer.json()[0]["code"] == 403
    xml = client.get("/open311/v2/services.xml")
    assert xml.status_code == 403 and _xml(xml.text).findtext("error/code") == "403"
    readings_only = client.get("/open311/v2/services.json", headers=READINGS)
    assert readings_only.status_code == 403 and "events.read" in readings_only.json()[0]["description"]
    assert client.get("/open311/v2/nothing.json", headers=EVENTS).json()[0]["code"] == 404


def test_the_chicago_systems_requests_map_field_by_field(client: TestClient) -> None:
    """Real requests from another city's Open311 server, posted here as their clients would (their service
    codes are not this city's: each maps to one of ours), come back with their text, place and link."""
    chicago = json.loads((SAMPLES / "chicago-2014-requests.json").read_text(encoding="utf-8"))
    ours = {"Alley Light Out": "facilities", "Building Violation": "construction"}
    for original in chicago:
        fields = {"api_key": "events-token", "service_code": ours[original["service_name"]],
                  "lat": str(original["lat"]), "long": str(original["long"]),
                  "address_string": original["address"], "description": original.get("status_notes") or
                  original["service_name"]}
        request_id = _post(client, fields).json()[0]["service_request_id"]
        [back] = client.get(f"/open311/v2/requests/{request_id}.json", headers=EVENTS).json()
        assert (back["lat"], back["long"], back["address"]) == (original["lat"], original["long"],
                                                               original["address"])
