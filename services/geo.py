"""Districts from a GeoJSON file, and the spatial questions asked of them (which district holds a point).

The city file is read once at start-up (`load_city`); a missing or malformed file raises `CityFileError`, whose message
says which file and how to fix it, so start-up can stop with one clear line.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from services.store import Event

GRID_KM = 1.0  # the side of a grid cell (网格), the level below a district


class CityFileError(ValueError):
    """The districts GeoJSON cannot be used."""


@dataclass(frozen=True)
class City:
    """The deployment's districts: a GeoDataFrame indexed by adcode (columns name_zh, name_en, geometry)."""

    districts: gpd.GeoDataFrame
    geojson: dict[str, Any]

    @property
    def adcodes(self) -> list[str]:
        return list(self.districts.index)

    def names(self, lang: str = "zh-CN") -> dict[str, str]:
        column = "name_zh" if lang == "zh-CN" else "name_en"
        return dict(self.districts[column])

    def bounds(self) -> tuple[float, float, float, float]:
        """(min lon, min lat, max lon, max lat) of the whole city."""
        minx, miny, maxx, maxy = self.districts.total_bounds
        return float(minx), float(miny), float(maxx), float(maxy)

    def center(self) -> tuple[float, float]:
        """(lat, lon) of the middle of the city's bounding box, where a map opens."""
        minx, miny, maxx, maxy = self.bounds()
        return (miny + maxy) / 2, (minx + maxx) / 2

    def district_of(self, lon: np.ndarray | list[float], lat: np.ndarray | list[float]) -> np.ndarray:
        """The adcode holding each point, or None for a point outside every district (flagged, never dropped)."""
        points = gpd.GeoSeries(shapely.points(np.asarray(lon, float), np.asarray(lat, float)), crs=4326)
        joined = gpd.sjoin(gpd.GeoDataFrame(geometry=points), self.districts[["geometry"]], how="left",
                           predicate="within")
        joined = joined[~joined.index.duplicated(keep="first")]
        return np.array([code if isinstance(code, str) else None for code in joined["adcode"]], dtype=object)

    @cached_property
    def grid(self) -> Grid:
        """The city's regular 1 km grid, clipped to each district (built once per City)."""
        return make_grid(self, GRID_KM)

    def rows(self) -> list[dict[str, str]]:
        """One dict per district (adcode, name_zh, name_en, geometry as GeoJSON text) for the `districts` table."""
        return [
            {"adcode": code, "name_zh": row.name_zh, "name_en": row.name_en,
             "geometry": json.dumps(shapely.geometry.mapping(row.geometry), ensure_ascii=False)}
            for code, row in self.districts.iterrows()
        ]


def load_city(path: Path) -> City:
    """Read and check a districts FeatureCollection: every feature needs adcode, name_zh and name_en."""
    if not path.is_file():
        raise CityFileError(f"city GeoJSON not found at {path}: set ONESCREEN_CITY to a districts GeoJSON file")
    try:
        geojson = json.loads(path.read_text(encoding="utf-8"))
        frame = gpd.GeoDataFrame.from_features(geojson["features"], crs=4326)
    except (ValueError, KeyError, TypeError) as exc:
        raise CityFileError(f"city GeoJSON {path} is not a readable FeatureCollection ({exc})") from exc
    missing = {"adcode", "name_zh", "name_en"} - set(frame.columns)
    if frame.empty or missing:
        raise CityFileError(f"city GeoJSON {path} needs features with properties adcode, name_zh, name_en "
                            f"(missing: {', '.join(sorted(missing)) or 'all features'})")
    frame["adcode"] = frame["adcode"].astype(str)
    frame = frame.set_index("adcode")[["name_zh", "name_en", "geometry"]]
    for feature in geojson["features"]:
        feature["id"] = str(feature["properties"]["adcode"])
    return City(districts=frame, geojson=geojson)


@dataclass(frozen=True)
class Grid:
    """A regular grid over the city's bounding box, clipped to the districts.

    Cell ids are `<adcode>-r<row>c<col>`: row and column count from the south-west corner, so a point's cell is
    arithmetic (`cell_of`, and the same sum in SQL for counts) and a square cut by a district border gives one
    cell per district. `cells` is indexed by cell id (columns district, row, col, geometry).
    """

    x0: float
    y0: float
    dx: float
    dy: float
    cells: gpd.GeoDataFrame
    _features: dict[str, dict[str, Any]] = field(default_factory=dict, compare=False, repr=False)

    def cell_of(self, lon: np.ndarray | list[float], lat: np.ndarray | list[float],
                district: np.ndarray | list[str | None]) -> np.ndarray:
        """The cell id of each point within its district, None where the district is None."""
        return cells_of((self.x0, self.y0, self.dx, self.dy), lon, lat, district)

    def geojson(self, district: str) -> dict[str, Any]:
        """The district's cells as a FeatureCollection whose feature ids are cell ids (for a choropleth); built
        once per district, since the drill-down asks for it on every click."""
        if district not in self._features:
            mine = self.cells[self.cells["district"] == district]
            self._features[district] = {"type": "FeatureCollection", "features": [
                {"type": "Feature", "id": code, "properties": {"row": int(row.row), "col": int(row.col)},
                 "geometry": shapely.geometry.mapping(row.geometry)} for code, row in mine.iterrows()]}
        return self._features[district]


Origin = tuple[float, float, float, float]  # x0, y0, dx, dy: the grid's south-west corner and cell size in degrees


def grid_origin(bounds: tuple[float, float, float, float], cell_km: float = GRID_KM) -> Origin:
    """Where a city's grid starts and how big its cells are, from the city's (min lon, min lat, max lon, max lat):
    all a writer needs to give an event its cell id without building the clipped cells."""
    minx, miny, _maxx, maxy = bounds
    return minx, miny, cell_km / (111.320 * math.cos(math.radians((miny + maxy) / 2))), cell_km / 110.574


def cells_of(origin: Origin, lon: np.ndarray | list[float], lat: np.ndarray | list[float],
             district: np.ndarray | list[str | None]) -> np.ndarray:
    """The cell id of each point within its district (None where the district is None), vectorised."""
    x0, y0, dx, dy = origin
    rows = np.floor((np.asarray(lat, float) - y0) / dy).astype(np.int64).tolist()
    cols = np.floor((np.asarray(lon, float) - x0) / dx).astype(np.int64).tolist()
    return np.array([f"{d}-r{r}c{c}" if isinstance(d, str) and d else None
                     for d, r, c in zip(district, rows, cols, strict=True)], dtype=object)


def cell_id(district: str, row: int, col: int) -> str:
    return f"{district}-r{row}c{col}"


def make_grid(city: City, cell_km: float) -> Grid:
    """Square-ish cells of `cell_km` (degrees scaled at the city's mid latitude) clipped to every district."""
    minx, miny, maxx, maxy = city.bounds()
    _x0, _y0, dx, dy = grid_origin((minx, miny, maxx, maxy), cell_km)
    n_rows, n_cols = math.ceil((maxy - miny) / dy), math.ceil((maxx - minx) / dx)
    rows, cols = np.divmod(np.arange(n_rows * n_cols), n_cols)
    boxes = gpd.GeoDataFrame({"row": rows, "col": cols},
                             geometry=shapely.box(minx + cols * dx, miny + rows * dy, minx + (cols + 1) * dx,
                                                  miny + (rows + 1) * dy), crs=4326)
    districts = city.districts.reset_index()[["adcode", "geometry"]]
    clipped = gpd.overlay(boxes, districts, how="intersection", keep_geom_type=True)
    clipped = clipped.rename(columns={"adcode": "district"})
    clipped.index = [cell_id(d, r, c) for d, r, c in zip(clipped["district"], clipped["row"], clipped["col"],
                                                        strict=True)]
    return Grid(x0=minx, y0=miny, dx=dx, dy=dy, cells=clipped[["district", "row", "col", "geometry"]])


def locate_events(session: Session, city: City, *, batch: int = 50_000) -> int:
    """Give events with coordinates but no district or grid cell their district (spatial join) and cell; a point
    in no district is flagged `out_of_city` and kept. Returns how many events were updated; the caller commits."""
    query = (select(Event.id, Event.lon, Event.lat, Event.district)
             .where(Event.lat.is_not(None), Event.lon.is_not(None), Event.out_of_city.is_(False),
                    or_(Event.district.is_(None), Event.grid.is_(None)))
             .limit(batch))
    done = 0
    while rows := session.execute(query).all():
        ids, lon, lat, known = (np.array(column, dtype=object) for column in zip(*rows, strict=True))
        lon, lat = lon.astype(float), lat.astype(float)
        found = city.district_of(lon, lat)
        district = np.array([f if k is None else k for k, f in zip(known, found, strict=True)], dtype=object)
        cells = city.grid.cell_of(lon, lat, district)
        session.execute(update(Event), [
            {"id": int(i), "district": d, "grid": g, "out_of_city": d is None}
            for i, d, g in zip(ids, district, cells, strict=True)])
        done += len(rows)
    return done
