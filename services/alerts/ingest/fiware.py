"""FIWARE Smart Data Models `Alert` entity (NGSI v2 key-values or normalized, NGSI-LD) → the alert stream fields.

The model (smart-data-models/dataModel.Alert) has no urgency or certainty, so both are `unknown`; its five
severities fold onto CAP's four. Attributes outside the model are refused by name, like unknown stream fields.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from services.alerts.ingest.errors import IngestError
from services.alerts.ingest.geometry import centroid
from services.alerts.schema import (
    EVENT_CHARS,
    ID_CHARS,
    IDENTIFIER_PATTERN,
    TEXT_CHARS,
    AlertValidationError,
    normalize_alert,
)

SEVERITY = {
    "informational": "minor",
    "low": "minor",
    "medium": "moderate",
    "high": "severe",
    "critical": "extreme",
}
CATEGORY = {
    "traffic": "transport", "naturalDisaster": "geo", "weather": "met", "environment": "env",
    "health": "health", "security": "security", "agriculture": "other",
}  # fmt: skip
_FIRE = {"buildingFire", "forestFire", "fireRisk"}
# GSMA-Commons + Location-Commons + Common-Alert + Alert, and the JSON-LD context.
ATTRIBUTES = {
    "id", "type", "@context", "dateCreated", "dateModified", "source", "name", "alternateName", "description",
    "dataProvider", "owner", "seeAlso", "relatedSource", "areaServed", "location", "address", "category",
    "subCategory", "severity", "dateIssued", "validFrom", "validTo", "alertSource", "data",
}  # fmt: skip
# Stream field → the FIWARE attribute it came from, so errors name what the sender wrote.
_ORIGIN = {"source": "alertSource", "sent": "dateIssued", "event": "subCategory", "headline": "name"}
_HEADLINE_CHARS = 120


def is_fiware_alert(document: Mapping[str, Any]) -> bool:
    """A JSON body is a FIWARE entity (not plain stream fields) when it says `"type": "Alert"`."""
    return document.get("type") == "Alert"


def _value(attribute: Any) -> Any:
    """Unwrap normalized forms: NGSI v2 / NGSI-LD {"type", "value"} and NGSI-LD relationships {"object"}."""
    if isinstance(attribute, dict) and "coordinates" not in attribute:
        if "value" in attribute:
            return attribute["value"]
        if attribute.get("type") == "Relationship" and "object" in attribute:
            return attribute["object"]
    return attribute


def _text(entity: Mapping[str, Any], name: str, *, required: bool = False) -> str | None:
    value = _value(entity.get(name))
    if value is None or value == "":
        if required:
            raise IngestError(name, "required attribute of a FIWARE Alert is missing")
        return None
    if not isinstance(value, str):
        raise IngestError(name, f"must be text, got {type(value).__name__}")
    return value.strip()


def _location(entity: Mapping[str, Any]) -> dict[str, str]:
    geometry = _value(entity.get("location"))
    if geometry is None:
        return {}
    if not isinstance(geometry, dict) or not isinstance(geometry.get("type"), str):
        raise IngestError(
            "location", 'must be a GeoJSON geometry, e.g. {"type": "Point", "coordinates": [lon, lat]}'
        )
    lat, lon = centroid(geometry, "location")
    fields = {"lat": repr(lat), "lon": repr(lon)}
    if geometry["type"] != "Point":
        fields["area"] = json.dumps(geometry, ensure_ascii=False, separators=(",", ":"))
    return fields


def _headline(name: str | None, description: str | None, event: str) -> str:
    if name:
        return name
    if description:
        return (
            description if len(description) <= _HEADLINE_CHARS else description[: _HEADLINE_CHARS - 1] + "…"
        )
    return event


def parse_fiware(entity: Mapping[str, Any]) -> dict[str, str]:
    """One FIWARE `Alert` entity as normalized stream fields."""
    if not is_fiware_alert(entity):
        raise IngestError("type", 'a FIWARE entity must have "type": "Alert"')
    unknown = sorted(set(entity) - ATTRIBUTES)
    if unknown:
        raise IngestError(unknown[0], "not an attribute of the FIWARE Alert data model")
    category = _text(entity, "category", required=True) or ""
    if category not in CATEGORY:
        raise IngestError("category", f"{category!r} is not a FIWARE Alert category ({', '.join(CATEGORY)})")
    severity = _text(entity, "severity") or "unknown"
    if severity != "unknown" and severity not in SEVERITY:
        raise IngestError("severity", f"{severity!r} is not a FIWARE Alert severity ({', '.join(SEVERITY)})")
    sub_category = _text(entity, "subCategory")
    description = _text(entity, "description")
    event = sub_category or category
    fields = {
        "id": _text(entity, "id", required=True),
        "source": _text(entity, "alertSource", required=True),
        "sent": _text(entity, "dateIssued", required=True),
        "severity": SEVERITY.get(severity, "unknown"),
        "urgency": "unknown",
        "certainty": "unknown",
        "category": "fire" if sub_category in _FIRE else CATEGORY[category],
        "event": event,
        "headline": _headline(_text(entity, "name"), description, event),
        "description": description,
        **_location(entity),
    }
    try:
        return normalize_alert({name: value for name, value in fields.items() if value is not None})
    except AlertValidationError as exc:
        raise IngestError(_ORIGIN.get(exc.field, exc.field), exc.reason) from None


_PLAIN = r"^[^\s\x00-\x1f\x7f-\x9f](?:[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f])?$"  # no controls, trimmed


def fiware_alert_schema() -> dict[str, Any]:
    """The JSON Schema (OpenAPI 3.1) of what `parse_fiware` accepts in key-values form, so a client generated from
    /openapi.json sends only what is stored; the normalized forms ({"type", "value"}) are accepted too."""
    optional_text = {"type": ["string", "null"], "pattern": f"^$|{_PLAIN}"}  # empty counts as absent
    point = {"type": "object", "required": ["type", "coordinates"], "properties": {  # GeoJSON allows more members
        "type": {"const": "Point"},
        "coordinates": {"type": "array", "minItems": 2, "maxItems": 2, "prefixItems": [
            {"type": "number", "minimum": -180, "maximum": 180}, {"type": "number", "minimum": -90, "maximum": 90}]},
    }}  # fmt: skip
    described = {
        # The bounds and characters the stream fields they become take (services/alerts/schema.py), no narrower:
        # a schema stricter than the validator has a client refuse what the API would take, and one looser the
        # reverse (schemathesis found both).
        "id": {"type": "string", "minLength": 1, "maxLength": ID_CHARS, "pattern": IDENTIFIER_PATTERN},
        "type": {"const": "Alert"},
        "category": {"enum": sorted(CATEGORY)},
        "subCategory": {**optional_text, "maxLength": EVENT_CHARS, "description": "becomes the alert's `event`"},
        "severity": {"enum": [*SEVERITY, "unknown", None]},
        "dateIssued": {"type": "string", "format": "date-time", "description": "ISO 8601 with a UTC offset"},
        "alertSource": {"type": "string", "minLength": 1, "maxLength": ID_CHARS, "pattern": IDENTIFIER_PATTERN},
        "name": {**optional_text, "maxLength": TEXT_CHARS, "description": "becomes the headline"},
        "description": {**optional_text, "maxLength": 20000},
        "location": {"anyOf": [point, {"type": "null"}]},
    }
    ignored = {name: {"description": "accepted, not stored"} for name in sorted(ATTRIBUTES - set(described))}
    return {"type": "object", "title": "FIWARE Alert",
            "description": "smart-data-models Alert entity, key-values (as here) or normalized (each attribute as "
                           '{"type", "value"}); "type" must be "Alert"',
            "required": ["id", "type", "category", "dateIssued", "alertSource"], "additionalProperties": False,
            "properties": {**described, **ignored}}  # fmt: skip
