"""FIWARE subscription notifications (NGSI v2 `{"subscriptionId", "data"}` and NGSI-LD `"type": "Notification"`)
turned into reading rows by a mapping file (entity type + attribute -> indicator code, and where the area comes
from), so a context broker (Orion, Orion-LD, Scorpio) can notify OneScreen directly.

The rows then go through `ingest_readings` like any other; an entity whose attribute is not mapped is skipped (a
notification carries more than the wall shows), an entity that maps to nothing at all is reported.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.geo import City
from services.ingest.tables import MALFORMED, Row

AREA_FROM_LOCATION = ""


class MappingError(ValueError):
    """The mapping file cannot be used: the message names the file and the entry."""


@dataclass(frozen=True)
class AttributeMap:
    indicator: str
    area_attribute: str = AREA_FROM_LOCATION


NgsiMapping = Mapping[tuple[str, str], AttributeMap]


def load_mapping(path: Path) -> NgsiMapping:
    """{(entity type, attribute): AttributeMap} from the TOML file (see the city pack's ngsi_mapping.toml)."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise MappingError(f"{path}: NGSI mapping unreadable ({exc}); set ONESCREEN_NGSI_MAPPING") from None
    found: dict[tuple[str, str], AttributeMap] = {}
    for position, entry in enumerate(document.get("map", []), start=1):
        missing = [name for name in ("entity_type", "attribute", "indicator") if not entry.get(name)]
        if missing:
            raise MappingError(f"{path}: [[map]] entry {position} lacks {', '.join(missing)}")
        found[(entry["entity_type"], entry["attribute"])] = AttributeMap(entry["indicator"],
                                                                         entry.get("area_attribute", ""))
    return found


def is_notification(document: Any) -> bool:
    return isinstance(document, dict) and "subscriptionId" in document and isinstance(document.get("data"), list)


def notification_rows(document: Mapping[str, Any], mapping: NgsiMapping, city: City) -> Iterator[Row]:
    """(entity number, reading fields) for each mapped attribute of each entity in the notification."""
    notified = document.get("notifiedAt")
    for number, entity in enumerate(document["data"], start=1):
        if not isinstance(entity, dict):
            yield number, {MALFORMED: "an entity must be a JSON object"}
            continue
        kind = _short(str(entity.get("type", "")))
        mapped = [(name, rule) for (etype, name), rule in mapping.items() if etype == kind and name in entity]
        if not mapped:
            yield number, {"indicator": f"{kind or '?'} (no mapped attribute in {sorted(entity)})"}
            continue
        for name, rule in mapped:
            yield number, {"indicator": rule.indicator, "value": _value(entity[name]),
                           "area": _area(entity, rule, city),
                           "time": _time(entity[name]) or _value(entity.get("dateObserved")) or notified}


def _short(entity_type: str) -> str:
    return entity_type.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _value(attribute: Any) -> Any:
    """The attribute's value: normalized ({"type", "value"}) or key-values (the bare value)."""
    return attribute.get("value") if isinstance(attribute, dict) else attribute


def _time(attribute: Any) -> str | None:
    if not isinstance(attribute, dict):
        return None
    instant = (attribute.get("metadata") or {}).get("TimeInstant")
    observed = attribute.get("observedAt") or _value(instant)
    return str(observed) if observed is not None else None


def _area(entity: Mapping[str, Any], rule: AttributeMap, city: City) -> Any:
    if rule.area_attribute:
        return _value(entity.get(rule.area_attribute))
    location = _value(entity.get("location"))
    if not (isinstance(location, dict) and location.get("type") == "Point"):
        return "city"
    lon, lat = location.get("coordinates", [None, None])[:2]
    try:
        district = city.district_of([float(lon)], [float(lat)])[0]
    except (TypeError, ValueError):
        return f"location {location.get('coordinates')!r}"
    return district or f"location {lon},{lat} (outside the city)"
