"""An alert's or an incident's area (the GeoJSON a CAP polygon or circle was stored as, services/alerts/ingest) and
the spatial questions a response asks of it: which districts it touches, which points fall inside."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import shapely
from shapely.errors import ShapelyError
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from services.geo import City


def area_shape(area: str | None) -> BaseGeometry | None:
    """The stored GeoJSON text as a shape, or None when there is none or it is unusable (a point is no area)."""
    if not area:
        return None
    try:
        geometry = shape(json.loads(area))
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, ShapelyError):
        return None
    return None if geometry.is_empty or geometry.area == 0 else geometry


def area_of(area: str | None, district: str | None, city: City) -> BaseGeometry | None:
    """The alert's own area, else the district it names: a CAP alert may carry only a geocode."""
    own = area_shape(area)
    if own is not None:
        return own
    if district and district in city.districts.index:
        return city.districts.loc[district, "geometry"]
    return None


SLIVER = 0.005  # an overlap under this share of the area is the districts' drawing, not ground they share


def districts_touching(geometry: BaseGeometry, city: City) -> list[str]:
    """The adcodes of the districts that share ground with `geometry`: a border, or the slivers where neighbouring
    districts' outlines overlap, do not count."""
    overlap = shapely.area(shapely.intersection(np.asarray(city.districts.geometry.array), geometry))  # degrees²: a ratio
    return [code for code, share in zip(city.districts.index, overlap, strict=True) if share >= SLIVER * geometry.area]


def inside(geometry: BaseGeometry, lon: Any, lat: Any) -> np.ndarray:
    """Which of the points (lon, lat arrays) lie in `geometry`: a boolean mask."""
    points = shapely.points(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(shapely.contains(geometry, points), dtype=bool)


def as_feature(geometry: BaseGeometry) -> dict[str, Any]:
    """`geometry` as a GeoJSON feature, what components/plane_map.outline_xy draws (its polygons only)."""
    polygons = [part for part in getattr(geometry, "geoms", [geometry]) if part.geom_type in ("Polygon", "MultiPolygon")]
    merged = shapely.union_all(polygons) if polygons else geometry
    return {"type": "Feature", "geometry": shapely.geometry.mapping(merged)}
