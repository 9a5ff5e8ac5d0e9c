"""The stream-field contract: what normalize_alert accepts, how it normalizes, and how it names what it refuses."""

from __future__ import annotations

import json

import pytest

from services.alerts.schema import AlertValidationError, normalize_alert, references_ids

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
    assert references_ids(fields["references"]) == ["XM-000"]
    assert references_ids("A1 A2") == ["A1", "A2"]


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
        ({"headline": "x" * 257}, "headline", "256"),
        ({"id": "x" * 129}, "id", "128"),
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
