"""Districts from the shipped Xiamen GeoJSON, and point-in-district assignment on the real boundaries."""

from __future__ import annotations

import json

import pytest

from services.config import DEFAULT_CITY
from services.geo import CityFileError, load_city


def test_xiamen_has_six_districts_with_names():
    city = load_city(DEFAULT_CITY)
    assert city.names() == {"350203": "思明区", "350205": "海沧区", "350206": "湖里区", "350211": "集美区",
                            "350212": "同安区", "350213": "翔安区"}
    assert city.names("en")["350206"] == "Huli"
    lat, lon = city.center()
    assert 24.3 < lat < 24.9 and 117.8 < lon < 118.5


def test_points_are_assigned_to_their_district_and_outside_points_flagged():
    city = load_city(DEFAULT_CITY)
    # Gulangyu (鼓浪屿) is an island of Siming; Xiamen North station is in Jimei; the last point is in Fuzhou.
    found = city.district_of([118.0670, 118.0730, 119.30], [24.4470, 24.6330, 26.08])
    assert list(found) == ["350203", "350211", None]


def test_rows_carry_geojson_geometry():
    rows = load_city(DEFAULT_CITY).rows()
    assert {row["adcode"] for row in rows} == {"350203", "350205", "350206", "350211", "350212", "350213"}
    assert json.loads(rows[0]["geometry"])["type"] in ("Polygon", "MultiPolygon")


def test_missing_and_malformed_city_files_say_what_to_fix(tmp_path):
    with pytest.raises(CityFileError, match="ONESCREEN_CITY"):
        load_city(tmp_path / "nowhere.geojson")
    broken = tmp_path / "broken.geojson"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(CityFileError, match="not a readable FeatureCollection"):
        load_city(broken)
    unnamed = tmp_path / "unnamed.geojson"
    unnamed.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"adcode": "1"}, "geometry": {"type": "Point", "coordinates": [0, 0]}}]}))
    with pytest.raises(CityFileError, match="name_en, name_zh"):
        load_city(unnamed)
