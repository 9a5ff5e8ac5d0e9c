"""The incident's area on a map: the districts it touches highlighted and the area itself outlined in the alarm
colour. On the wall (`incident_map`) a plain lon/lat figure (components/plane_map.py, like the wall's event map)
with the city's districts and the open events inside the area as dots; on /events the same outlines laid over
the page's own map (`area_traces`), MapLibre or plain. Figure dicts from plain data (GeoJSON, coordinates)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from components.event_figures import typed_array
from components.plane_map import outline_xy, plane_axes
from components.theme import ACCENT, GRID_LINE, SEVERITY_COLOURS, base_layout

HIGHLIGHT = "rgba(255,140,26,0.28)"
AREA_FILL = "rgba(255,59,59,0.18)"
AREA = SEVERITY_COLOURS["extreme"]


def _outline(features: Sequence[Mapping[str, Any]], name: str, line: str, fill: str, width: float,
             on_map: bool = False) -> dict[str, Any]:
    xs, ys = outline_xy(features)
    common = {"mode": "lines", "fill": "toself", "fillcolor": fill, "line": {"color": line, "width": width},
              "hoverinfo": "skip", "name": name, "showlegend": False}  # no hover: a click still means the map's own
    if on_map:  # MapLibre takes plain lists, a gap as null
        return {"type": "scattermap", "lon": [None if np.isnan(x) else float(x) for x in xs],
                "lat": [None if np.isnan(y) else float(y) for y in ys], **common}
    return {"type": "scatter", "x": typed_array(xs), "y": typed_array(ys), **common}


def area_traces(touched: Sequence[Mapping[str, Any]], area: Mapping[str, Any] | None, *, on_map: bool,
                scale: float = 1.0) -> list[dict[str, Any]]:
    """The `touched` district features filled and the `area` feature outlined: traces named touched and area."""
    traces = [_outline(touched, "touched", ACCENT, HIGHLIGHT, 1.5 * scale, on_map)] if touched else []
    if area is not None:
        traces.append(_outline([area], "area", AREA, AREA_FILL, 3.0 * scale, on_map))
    return traces


def incident_map(geojson: Mapping[str, Any], touched: Sequence[str], area: Mapping[str, Any] | None,
                 points: Sequence[tuple[float, float]], scale: float = 1.0) -> dict[str, Any]:
    """The districts (`geojson`, features with adcode ids), the `touched` ones filled, the `area` feature and the
    (lon, lat) `points` inside it."""
    features = list(geojson["features"])
    hit = [feature for feature in features if str(feature["id"]) in set(touched)]
    traces = [_outline(features, "districts", GRID_LINE, "rgba(0,0,0,0)", 1.0 * scale),
              *area_traces(hit, area, on_map=False, scale=scale)]
    lon = np.asarray([p[0] for p in points], float)
    lat = np.asarray([p[1] for p in points], float)
    traces.append({"type": "scatter", "mode": "markers", "name": "events", "x": typed_array(lon),
                   "y": typed_array(lat), "marker": {"size": 8 * scale, "color": SEVERITY_COLOURS["severe"]},
                   "hoverinfo": "skip"})
    _, ys = outline_xy(features)
    layout = {**base_layout(scale, margin={"l": 0, "r": 0, "t": 0, "b": 0}), **plane_axes(ys, fixed=True),
              "showlegend": False, "dragmode": False}
    return {"data": traces, "layout": layout}
