"""The stream-field contract: what normalize_alert accepts, how it normalizes, and how it names what it refuses."""

from __future__ import annotations

import json
from typing import Any

import jsonschema_rs
import pytest

from services.alerts.schema import AlertValidationError, StreamAlert, normalize_alert, referenced

VALID = {
    "id": "XM-001",
    "source": "xmqx@xm.gov.cn",
    "sent": "2024-09-15T06:30:00+08:00",
    "severity": "Severe",
    "urgency": "Immediate",
    "certainty": "Likely",
    "category": "Met",
    "event": "台风",
    "headline": "台风橙色预警",
}


def test_minimal_alert_is_lower_cased_and_defaults_to_msg_type_alert() -> None:
    fields = normalize_alert(VALID)
    assert fields == {
        **VALID,
        "severity": "severe",
        "urgency": "immediate",
        "certainty": "likely",
        "category": "met",
        "msg_type": "alert",
    }
    assert all(isinstance(value, str) for value in fields.values())


@pytest.mark.parametrize(
    ("level", "severity"),
    [("红", "extreme"), ("红色", "extreme"), ("橙", "severe"), ("橙色", "severe"), ("黄色", "moderate"),
     ("蓝", "minor"), ("EXTREME", "extreme"), (" unknown ", "unknown")],
)  # fmt: skip
def test_chinese_warning_levels_map_to_cap_severity(level: str, severity: str) -> None:
    assert normalize_alert({**VALID, "severity": level})["severity"] == severity


def test_optional_fields_are_kept_as_flat_strings() -> None:
    area = {"type": "Point", "coordinates": [118.1, 24.48]}
    fields = normalize_alert(
        {**VALID, "district": "350203", "lat": 24.48, "lon": "118.1", "area": area, "description": " 风大 "}
    )
    assert fields["lat"] == "24.48" and fields["lon"] == "118.1"
    assert json.loads(fields["area"]) == area
    assert fields["description"] == "风大"
    assert fields["district"] == "350203"


def test_blank_optional_fields_are_left_out() -> None:
    fields = normalize_alert({**VALID, "description": "", "district": " ", "references": ""})
    assert not {"description", "district", "references"} & set(fields)


def test_update_and_cancel_keep_their_references() -> None:
    fields = normalize_alert(
        {**VALID, "msg_type": "Cancel", "references": "s,XM-000,2024-09-15T06:00:00+08:00"}
    )
    assert fields["msg_type"] == "cancel"
    assert referenced(fields["references"], "other") == [("s", "XM-000")]
    assert referenced("A1 A2", "me") == [("me", "A1"), ("me", "A2")]


def test_sent_keeps_its_offset_and_accepts_z() -> None:
    assert normalize_alert({**VALID, "sent": "2024-09-15T00:00:00Z"})["sent"] == "2024-09-15T00:00:00+00:00"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"sent": "2024-09-15T06:30:00"}, "sent", "no UTC offset"),
        ({"sent": "yesterday"}, "sent", "not ISO 8601"),
        ({"severity": "紫色"}, "severity", "extreme"),
        ({"urgency": "soon"}, "urgency", "immediate"),
        ({"certainty": "very likely"}, "certainty", "observed"),
        ({"category": "weather"}, "category", "met"),
        ({"msg_type": "ack"}, "msg_type", "alert"),
        ({"msg_type": "update"}, "references", "required"),
        ({"district": "3502"}, "district", "6-digit"),
        ({"lat": "24.5"}, "lat", "together"),
        ({"lat": "91", "lon": "118"}, "lat", "less than or equal to 90"),
        ({"lat": "24", "lon": "nan"}, "lon", "finite"),
        ({"area": "{not json"}, "area", "not valid JSON"),
        ({"area": "[1, 2]"}, "area", "GeoJSON object"),
        ({"headline": "x" * 2_001}, "headline", "2000"),
        ({"id": "x" * 256}, "id", "255"),
        ({"id": "A 1"}, "id", "spaces, commas"),
        ({"source": "a,b"}, "source", "spaces, commas"),
        # issue 17: dates that do not fit UTC storage, control characters
        ({"sent": "9999-12-31T23:59:59-14:00"}, "sent", "years 1 to 9999"),
        ({"sent": "0001-01-01T00:00:00+14:00"}, "sent", "years 1 to 9999"),
        ({"headline": "台风\x00预警"}, "headline", "U+0000 at position 2"),
        ({"description": "a\x1bb"}, "description", "U+001B"),
        ({"event": "e\x85x"}, "event", "U+0085"),
        ({"id": "a\ud800"}, "id", "unicode"),
        ({"event": ""}, "event", "at least 1"),
        ({"severty": "severe"}, "severty", "unknown field"),
    ],
)
def test_bad_fields_are_named_with_a_reason(change: dict[str, str], field: str, words: str) -> None:
    with pytest.raises(AlertValidationError) as caught:
        normalize_alert({**VALID, **change})
    assert caught.value.field == field
    assert words in caught.value.reason
    assert str(caught.value).startswith(f"{field}: ")


@pytest.mark.parametrize("missing", ["id", "source", "sent", "severity", "urgency", "certainty", "category",
                                     "event", "headline"])  # fmt: skip
def test_every_required_field_is_required(missing: str) -> None:
    fields = {name: value for name, value in VALID.items() if name != missing}
    with pytest.raises(AlertValidationError, match=f"^{missing}: required"):
        normalize_alert(fields)


def test_normalizing_twice_changes_nothing() -> None:
    once = normalize_alert({**VALID, "lat": "24.480000", "lon": "118.10"})
    assert normalize_alert(once) == once


def test_cap_sets_no_limit_on_event_so_a_real_long_one_is_taken() -> None:
    """issue 17 point 5: a real CAP 1.2 air-quality alert's <event> of 185 characters was refused at 128."""
    event = ("Air Quality Alert for fine particulate matter (PM2.5) and ozone issued by the regional air district "
             "for the inland valleys, coastal plains and the metropolitan area until further notice")
    assert len(event) == 185
    assert normalize_alert({**VALID, "event": event, "headline": event})["event"] == event


def test_line_breaks_and_tabs_are_text_not_control_characters() -> None:
    assert normalize_alert({**VALID, "description": "第一行\n\t第二行\r\n"})["description"] == "第一行\n\t第二行"


@pytest.mark.parametrize("point", [{"lat": 24.45, "lon": None}, {"lat": None, "lon": 118.08}, {"lat": 24.45}])
def test_the_published_schema_refuses_what_the_validator_refuses_a_half_point(point: dict[str, float | None]) -> None:
    """schemathesis found `lat` with a null `lon` valid by the schema yet refused (422): now both say no."""
    schema = StreamAlert.model_json_schema()
    valid = {**VALID, "severity": "severe", "urgency": "immediate", "certainty": "likely", "category": "met"}
    alert = {**valid, **point}
    assert not jsonschema_rs.validator_for(schema).is_valid(alert)
    with pytest.raises(AlertValidationError, match="lat"):
        normalize_alert(alert)
    assert jsonschema_rs.validator_for(schema).is_valid({**valid, "lat": 24.45, "lon": 118.08})
    assert jsonschema_rs.validator_for(schema).is_valid({**valid, "lat": None, "lon": None})


@pytest.mark.parametrize(("field", "value"), [("event", "\x8a!"), ("headline", "a\x00b"), ("id", "a\x8ab"),
                                              ("description", "x\x1b")])
def test_the_published_schema_refuses_the_control_characters_the_validator_refuses(field: str, value: str) -> None:
    """schemathesis: an `event` holding U+008A was valid by the schema and refused with 422."""
    valid = {**VALID, "severity": "severe", "urgency": "immediate", "certainty": "likely", "category": "met"}
    schema = jsonschema_rs.validator_for(StreamAlert.model_json_schema())
    assert schema.is_valid(valid) and schema.is_valid({**valid, "headline": "台风\t橙色\n预警"})
    assert not schema.is_valid({**valid, field: value})
    with pytest.raises(AlertValidationError, match=field):
        normalize_alert({**valid, field: value})


@pytest.mark.parametrize("references", [None, "", "  "])
def test_the_published_schema_says_an_update_or_cancel_names_what_it_changes(references: str | None) -> None:
    """schemathesis: a cancel with a null `references` was valid by the schema and refused with 422."""
    valid = {**VALID, "severity": "severe", "urgency": "immediate", "certainty": "likely", "category": "met"}
    schema = jsonschema_rs.validator_for(StreamAlert.model_json_schema())
    assert schema.is_valid({**valid, "msg_type": "cancel", "references": "XM-000"})
    assert not schema.is_valid({**valid, "msg_type": "cancel", "references": references})
    with pytest.raises(AlertValidationError, match="references"):
        normalize_alert({**valid, "msg_type": "cancel", "references": references})


def test_the_published_schema_says_area_is_a_geojson_object() -> None:
    """schemathesis: `area: "3"` was valid by the schema (a string) and refused with 422."""
    valid = {**VALID, "severity": "severe", "urgency": "immediate", "certainty": "likely", "category": "met"}
    schema = jsonschema_rs.validator_for(StreamAlert.model_json_schema())
    point = {"type": "Point", "coordinates": [118.08, 24.45]}
    assert schema.is_valid({**valid, "area": point}) and normalize_alert({**valid, "area": point})["area"]
    assert not schema.is_valid({**valid, "area": "3"})
    with pytest.raises(AlertValidationError, match="area"):
        normalize_alert({**valid, "area": "3"})


@pytest.mark.parametrize(("field", "value", "taken"), [
    ("id", 12345, True), ("source", 7, True), ("event", 0, True), ("headline", -3, True), ("description", 42, True),
    ("district", 350203, True), ("district", 12, False), ("id", 1.5, False), ("headline", 2.0, True),
    ("id", 2**53 + 1, False), ("id", 1e20, False), ("event", True, False),
])  # fmt: skip
def test_the_published_schema_and_the_validator_agree_on_numbers_for_text(field: str, value: Any, taken: bool) -> None:
    """schemathesis found `"references": 0` taken by the validator (as its digits) while the schema said string:
    whole numbers within ±2^53 (2.0 included, as JSON Schema counts it) are now published and taken, fractions and
    booleans refused by both."""
    body = {**VALID, "severity": "severe", "urgency": "immediate", "certainty": "likely", "category": "met",
            field: value}
    schema = jsonschema_rs.validator_for(StreamAlert.model_json_schema())
    try:
        normalize_alert(body)
        accepted = True
    except AlertValidationError:
        accepted = False
    assert (accepted, schema.is_valid(body)) == (taken, taken)
