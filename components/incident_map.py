"""The incident's area on a plain lon/lat map (components/plane_map.py, like the wall's event map): the city's
districts, those the area touches highlighted, the area itself outlined in the alarm colour, and the open events
inside it as dots. One figure dict, built from plain data (GeoJSON and coordinates)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from components.event_figures import typed_array
from components.plane_map import outline_xy, plane_axes
from components.theme import ACCENT, GRID_LINE, SEVERITY_COLOURS, base_layout

HIGHLIGHT = "rgba(255,140,26,0.28)"
AREA = SEVERITY_COLOURS["extreme"]


def _outline(features: Sequence[Mapping[str, Any]], name: str, line: str, fill: str, width: float) -> dict[str, Any]:
    xs, ys = outline_xy(features)
    return {"type": "scatter", "x": typed_array(xs), "y": typed_array(ys), "mode": "lines", "fill": "toself",
            "fillcolor": fill, "line": {"color": line, "width": width}, "hoverinfo": "skip", "name": name}


def incident_map(geojson: Mapping[str, Any], touched: Sequence[str], area: Mapping[str, Any] | None,
                 points: Sequence[tuple[float, float]], scale: float = 1.0) -> dict[str, Any]:
    """The districts (`geojson`, features with adcode ids), the `touched` ones filled, the `area` feature and the
    (lon, lat) `points` inside it."""
    features = list(geojson["features"])
    hit = [feature for feature in features if str(feature["id"]) in set(touched)]
    traces = [_outline(features, "districts", GRID_LINE, "rgba(0,0,0,0)", 1.0 * scale)]
    if hit:
        traces.append(_outline(hit, "touched", ACCENT, HIGHLIGHT, 1.5 * scale))
    if area is not None:
        traces.append(_outline([area], "area", AREA, "rgba(255,59,59,0.18)", 3.0 * scale))
    lon = np.asarray([p[0] for p in points], float)
    lat = np.asarray([p[1] for p in points], float)
    traces.append({"type": "scatter", "mode": "markers", "name": "events", "x": typed_array(lon),
                   "y": typed_array(lat), "marker": {"size": 8 * scale, "color": SEVERITY_COLOURS["severe"]},
                   "hoverinfo": "skip"})
    _, ys = outline_xy(features)
    layout = {**base_layout(scale, margin={"l": 0, "r": 0, "t": 0, "b": 0}),
              **plane_axes(ys[~np.isnan(ys)], fixed=True), "showlegend": False, "dragmode": False}
    return {"data": traces, "layout": layout}
