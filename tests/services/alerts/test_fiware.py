"""FIWARE Smart Data Models `Alert` → stream fields, in key-values and normalized form; bad entities refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from services.alerts.ingest import IngestError, is_fiware_alert, parse_fiware
from services.alerts.ingest.fiware import fiware_alert_schema

DATA = Path(__file__).parent / "data" / "fiware"


def _load(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text())


def test_key_values_and_normalized_samples_give_the_same_fields() -> None:
    key_values = parse_fiware(_load("Alert-example-keyvalues.json"))
    assert key_values == parse_fiware(_load("Alert-example-normalized.json"))
    assert key_values == {
        "id": "Alert:1",
        "source": "https://account.lab.fiware.org/users/8",
        "sent": "2017-01-02T09:25:55+00:00",
        "severity": "severe",
        "urgency": "unknown",
        "certainty": "unknown",
        "category": "transport",
        "event": "trafficJam",
        "headline": "The road is completely blocked for 3kms",
        "description": "The road is completely blocked for 3kms",
        "lat": "40.423853",
        "lon": "-3.712247",
        "msg_type": "alert",
    }


@pytest.mark.parametrize(
    ("severity", "expected"),
    [
        ("informational", "minor"),
        ("low", "minor"),
        ("medium", "moderate"),
        ("high", "severe"),
        ("critical", "extreme"),
    ],
)
def test_five_fiware_severities_fold_onto_cap(severity: str, expected: str) -> None:
    assert (
        parse_fiware({**_load("Alert-example-keyvalues.json"), "severity": severity})["severity"] == expected
    )


def test_ngsi_ld_polygon_gives_area_and_centroid_and_fire_subcategory_gives_fire() -> None:
    polygon = {
        "type": "Polygon",
        "coordinates": [[[118.06, 24.44], [118.14, 24.44], [118.14, 24.5], [118.06, 24.44]]],
    }
    entity = {
        "id": "urn:ngsi-ld:Alert:xm-42",
        "type": "Alert",
        "@context": ["https://smartdatamodels.org/context.jsonld"],
        "category": {"type": "Property", "value": "security"},
        "subCategory": {"type": "Property", "value": "buildingFire"},
        "severity": {"type": "Property", "value": "critical"},
        "dateIssued": {"type": "Property", "value": "2024-09-15T06:30:00+08:00"},
        "alertSource": {"type": "Relationship", "object": "urn:ngsi-ld:Device:smoke-7"},
        "name": {"type": "Property", "value": "湖里区厂房火灾"},
        "location": {"type": "GeoProperty", "value": polygon},
    }
    fields = parse_fiware(entity)
    assert fields["category"] == "fire" and fields["severity"] == "extreme"
    assert fields["headline"] == "湖里区厂房火灾" and fields["source"] == "urn:ngsi-ld:Device:smoke-7"
    assert json.loads(fields["area"]) == polygon
    assert 24.44 < float(fields["lat"]) < 24.5 and 118.06 < float(fields["lon"]) < 118.14


def test_long_description_makes_a_short_headline() -> None:
    entity = {**_load("Alert-example-keyvalues.json"), "description": "道路拥堵" * 100}
    headline = parse_fiware(entity)["headline"]
    assert len(headline) == 120 and headline.endswith("…")


def test_detection_by_type() -> None:
    assert is_fiware_alert({"type": "Alert"})
    assert not is_fiware_alert({"id": "x", "headline": "h"})


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"category": "parking"}, "category", "not a FIWARE Alert category"),
        ({"severity": "urgent"}, "severity", "not a FIWARE Alert severity"),
        ({"dateIssued": "2017-01-02T09:25:55"}, "dateIssued", "no UTC offset"),
        ({"dateIssued": None}, "dateIssued", "missing"),
        ({"alertSource": "x" * 256}, "alertSource", "255"),
        ({"alertSource": 7}, "alertSource", "must be text"),
        ({"location": {"type": "Point", "coordinates": [200, 40]}}, "location", "out of range"),
        ({"location": {"type": "Point"}}, "location", "not a valid GeoJSON"),
        ({"location": [1, 2]}, "location", "GeoJSON geometry"),
        ({"colour": "red"}, "colour", "not an attribute"),
        ({"type": "Device"}, "type", "Alert"),
    ],
)
def test_bad_entities_are_refused_naming_the_attribute(
    change: dict[str, Any], field: str, words: str
) -> None:
    entity = {**_load("Alert-example-keyvalues.json"), **change}
    entity = {name: value for name, value in entity.items() if value is not None}
    with pytest.raises(IngestError) as caught:
        parse_fiware(entity)
    assert caught.value.field == field
    assert words in caught.value.reason


def test_the_published_fiware_schema_takes_what_parse_fiware_takes_and_no_more() -> None:
    """schemathesis: a 257-character `name` broke the schema's maxLength yet was accepted (the headline takes
    2 000); the schema's bounds are now the stream fields' own."""
    schema = jsonschema_rs.validator_for(fiware_alert_schema())
    entity = {"id": "A-1", "type": "Alert", "category": "health", "dateIssued": "2026-12-01T08:00:00+08:00",
              "alertSource": "city-sensors"}
    for body in ({**entity, "name": "x" * 257}, {**entity, "subCategory": "y" * 200}, {**entity, "id": "i" * 200}):
        assert schema.is_valid(body) and parse_fiware(body)
    for body in ({**entity, "name": "x" * 2_001}, {**entity, "id": "A 1"}, {**entity, "name": "a\x8ab"}):
        assert not schema.is_valid(body)
        with pytest.raises(IngestError):
            parse_fiware(body)
