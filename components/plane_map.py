"""Maps drawn on plain cartesian axes: longitude as x, latitude as y, held to the city's aspect.

No map subplot means no MapLibre: nothing to start in a web worker, no style to load, no tiles to ask for, and
polygons and text drawn as SVG. At a city's size, scaling y by 1 / cos(middle latitude) is indistinguishable from
Web Mercator. The wall's event map and the analyst's point map are drawn this way; choropleths that need a click
on a polygon stay on the map subplot (components/event_figures.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np


def outline_xy(features: Iterable[Mapping[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """Every ring of the GeoJSON features as one polyline (lon, lat), rings separated by NaN: one trace, as two
    typed arrays; with `fill: "toself"` each ring is filled on its own."""
    rings = []
    for feature in features:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        rings += [np.vstack([np.asarray(ring, float)[:, :2], [[np.nan, np.nan]]])
                  for polygon in polygons for ring in polygon]
    line = np.vstack(rings) if rings else np.empty((0, 2))
    return line[:, 0], line[:, 1]


def lat_scale(ys: np.ndarray) -> float:
    """cos(latitude): how much shorter a degree of longitude is than one of latitude in the middle of the city."""
    return math.cos(math.radians((np.nanmin(ys) + np.nanmax(ys)) / 2)) if np.isfinite(ys).any() else 1.0


def plane_axes(ys: np.ndarray, *, fixed: bool = False) -> dict[str, Any]:
    """The layout's hidden x and y axes, y anchored to x at the city's aspect; `fixed` turns zoom and pan off
    (a wall nobody touches)."""
    axis = {"visible": False, "showgrid": False, "zeroline": False, "fixedrange": fixed}
    return {"xaxis": axis, "yaxis": {**axis, "scaleanchor": "x", "scaleratio": 1 / lat_scale(ys)}}
