"""Areas of alerts and incidents on the demo city's districts: a CAP polygon's shape, the districts it shares
ground with (not a bare border), the points inside it, and the district when the alert carries no area."""

from __future__ import annotations

import json
from pathlib import Path

from services import areas
from services.geo import load_city

CITY = load_city(Path(__file__).resolve().parents[2] / "citypacks" / "xiamen" / "districts.geojson")
SQUARE = {"type": "Polygon", "coordinates": [[[118.10, 24.45], [118.15, 24.45], [118.15, 24.49], [118.10, 24.49],
                                              [118.10, 24.45]]]}


def test_a_polygon_touches_the_districts_it_covers_and_holds_its_points() -> None:
    shape = areas.area_shape(json.dumps(SQUARE))
    assert shape is not None
    assert areas.districts_touching(shape, CITY) == ["350203", "350206"]
    assert areas.inside(shape, [118.12, 118.30], [24.46, 24.46]).tolist() == [True, False]
    feature = areas.as_feature(shape)
    assert feature["geometry"]["type"] == "Polygon"


def test_no_usable_area_falls_back_to_the_district() -> None:
    for stored in (None, "", "not json", json.dumps({"type": "Point", "coordinates": [118.1, 24.4]})):
        assert areas.area_shape(stored) is None
    district = areas.area_of(None, "350205", CITY)
    assert district is not None and areas.districts_touching(district, CITY) == ["350205"]
    assert areas.area_of(None, None, CITY) is None


def test_a_collection_of_polygons_is_drawn_as_one_outline() -> None:
    other = {"type": "Polygon", "coordinates": [[[118.0, 24.6], [118.02, 24.6], [118.02, 24.62], [118.0, 24.6]]]}
    mixed = {"type": "GeometryCollection", "geometries": [SQUARE, other, {"type": "Point", "coordinates": [118, 24]}]}
    shape = areas.area_shape(json.dumps(mixed))
    assert shape is not None
    assert areas.as_feature(shape)["geometry"]["type"] == "MultiPolygon"
