"""Districts from the shipped Xiamen GeoJSON, and point-in-district assignment on the real boundaries."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import shapely

from services.config import DEFAULT_CITY
from services.geo import CityFileError, load_city, locate_events
from services.store import Event
from services.store.catalog import install_catalog


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


def test_gulangyu_is_in_siming_and_a_point_in_the_sea_is_outside():
    city = load_city(DEFAULT_CITY)
    found = city.district_of([118.067, 118.20], [24.447, 24.40])  # Gulangyu; the sea east of Xiamen Island
    assert list(found) == ["350203", None]


def test_grid_cells_are_clipped_to_districts_and_found_arithmetically():
    city = load_city(DEFAULT_CITY)
    grid = city.grid
    assert set(grid.cells["district"]) == set(city.adcodes)
    assert grid.cells.geometry.within(city.districts.geometry.union_all().buffer(1e-9)).all()
    # about 1 km cells: Siming (~80 km² with Gulangyu) has on the order of a hundred, including cut ones
    assert 80 < (grid.cells["district"] == "350203").sum() < 200
    cell = grid.cell_of([118.067], [24.447], ["350203"])[0]
    assert cell in grid.cells.index
    assert grid.cells.loc[cell].geometry.contains(shapely.Point(118.067, 24.447))
    assert grid.cell_of([118.067], [24.447], [None])[0] is None
    features = grid.geojson("350203")["features"]
    assert {f["id"] for f in features} == set(grid.cells.index[grid.cells["district"] == "350203"])


def test_locate_events_fills_district_and_cell_and_flags_points_outside(session):
    city = load_city(DEFAULT_CITY)
    install_catalog(session, districts=city.rows())
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

    def event(lon: float, lat: float, district: str | None = None) -> Event:
        return Event(category="traffic", source="app", severity="minor", status="reported", reported_at=now,
                     lon=lon, lat=lat, district=district)

    gulangyu, sea, known, no_point = event(118.067, 24.447), event(118.20, 24.40), event(118.07, 24.63, "350211"), \
        Event(category="traffic", source="app", severity="minor", status="reported", reported_at=now)
    session.add_all([gulangyu, sea, known, no_point])
    session.commit()
    assert locate_events(session, city, batch=2) == 3
    session.commit()
    session.expire_all()
    assert (gulangyu.district, gulangyu.out_of_city) == ("350203", False)
    assert gulangyu.grid == city.grid.cell_of([118.067], [24.447], ["350203"])[0]
    assert (sea.district, sea.grid, sea.out_of_city) == (None, None, True)
    assert known.district == "350211" and known.grid.startswith("350211-r")
    assert no_point.district is None and not no_point.out_of_city
    assert locate_events(session, city) == 0
