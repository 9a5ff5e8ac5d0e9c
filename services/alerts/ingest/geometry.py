"""GeoJSON helpers shared by the parsers: one geometry from many, and the point the map pins it on."""

from __future__ import annotations

from typing import Any

from shapely.errors import ShapelyError
from shapely.geometry import shape

from services.alerts.ingest.errors import IngestError

Geometry = dict[str, Any]


def combine(geometries: list[Geometry]) -> Geometry | None:
    """One GeoJSON geometry: the only one, a MultiPolygon of polygons, or a GeometryCollection of a mix."""
    if not geometries:
        return None
    if len(geometries) == 1:
        return geometries[0]
    if all(geom["type"] == "Polygon" for geom in geometries):
        return {"type": "MultiPolygon", "coordinates": [geom["coordinates"] for geom in geometries]}
    return {"type": "GeometryCollection", "geometries": geometries}


def centroid(geometry: Geometry, field: str) -> tuple[float, float]:
    """(lat, lon) of the geometry's centroid, rounded to about 10 cm; bad GeoJSON names `field`."""
    if _has_bool(geometry.get("coordinates")):  # JSON true/false would pass as 1/0
        raise IngestError(field, "coordinates must be numbers")
    try:
        point = shape(geometry).centroid
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, ShapelyError) as exc:
        raise IngestError(field, f"not a valid GeoJSON geometry ({exc})") from None
    if point.is_empty:
        raise IngestError(field, "the geometry is empty")
    lat, lon = round(point.y, 6), round(point.x, 6)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise IngestError(field, "coordinates out of range: GeoJSON is [longitude, latitude] in WGS84")
    return lat, lon


def _has_bool(coordinates: Any) -> bool:
    if isinstance(coordinates, list):
        return any(_has_bool(item) for item in coordinates)
    return isinstance(coordinates, bool)
