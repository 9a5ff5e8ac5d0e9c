"""Districts from a GeoJSON file, and the spatial questions asked of them (which district holds a point).

The city file is read once at start-up (`load_city`); a missing or malformed file raises `CityFileError`, whose message
says which file and how to fix it, so start-up can stop with one clear line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely


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
