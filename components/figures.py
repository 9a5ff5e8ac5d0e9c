"""Plotly figures of the wall, built from plain frames: the event map, and axis titles for the wall's charts.

The map has no tile layer and no map subplot: district polygons from the city's GeoJSON on plain lon/lat axes, so it
draws on an intranet with no internet at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely
import shapely.geometry
from plotly.colors import sample_colorscale

from components.event_figures import OPEN_SCALE, typed_array
from components.graphs import axis_title
from components.map_legend import DOT_OUTLINE
from components.plane_map import outline_xy, plane_axes
from components.theme import ACCENT, MUTED, SEVERITY_COLOURS, TEXT, base_layout


def _severity_scale(severity_order: Sequence[str]) -> list[list[Any]]:
    """Severity as a number on a stepped colour scale, one step per level of `severity_order` (least severe
    first): one small array instead of a colour string per dot."""
    steps = len(severity_order)
    return [[bound, SEVERITY_COLOURS.get(name, MUTED)] for i, name in enumerate(severity_order)
            for bound in (i / steps, (i + 1) / steps)]


def event_map_data(district_names: Mapping[str, str], open_by_district: pd.DataFrame, points: pd.DataFrame,
                   labels: Mapping[str, str], severity_order: Sequence[str]) -> dict[str, Any]:
    """What changes on each refresh, by path in event_map_frame's figure ("data.3.fillcolor"): each district's
    shade, its label's count, the dots (coloured by their step in `severity_order`, as the frame was built).
    The wall patches these into its figure in place, never a new figure."""
    counts = open_by_district.set_index("district").reindex(list(district_names), fill_value=0)
    opened, overdue = counts["open"].to_numpy(np.int64), counts["overdue"].to_numpy(np.int64)
    span = max(int(opened.max(initial=0) - opened.min(initial=0)), 1)
    shades = sample_colorscale(OPEN_SCALE, list((opened - opened.min(initial=0)) / span))
    severity = pd.Categorical(points["severity"], categories=list(severity_order)).codes
    dots = f"data.{len(district_names)}"
    changes: dict[str, Any] = {}
    for i, (name, shade, n, late) in enumerate(zip(district_names.values(), shades, opened, overdue, strict=True)):
        changes[f"data.{i}.fillcolor"] = shade
        changes[f"layout.annotations.{i}.text"] = f"{name}<br><b>{n}</b>"
        changes[f"layout.annotations.{i}.hovertext"] = f"{labels['open']} {n} · {labels['overdue']} {late}"
    changes.update({  # typed arrays: base64 of the bytes, where JSON numbers cost every wall's request ~100 ms
        f"{dots}.x": typed_array(points["lon"].to_numpy(np.float32)),
        f"{dots}.y": typed_array(points["lat"].to_numpy(np.float32)),
        f"{dots}.marker.color": typed_array(np.where(severity < 0, 0, severity).astype(np.float32) + 0.5),
        f"{dots}.customdata": typed_array(points["id"].to_numpy(np.int32))})
    return changes


def event_map_frame(geojson: Mapping[str, Any], district_names: Mapping[str, str],
                    severity_order: Sequence[str], scale: float = 1.0) -> dict[str, Any]:
    """The wall's event map without its data (see event_map_data): one filled outline per district, a label at
    each district's representative point, and the events' dots. SVG districts and WebGL dots on plain lon/lat
    axes (components/plane_map.py): the wall starts no MapLibre map, which painted last, over a second after
    plotly.js. The labels are annotations, which plotly.js draws above the dots' canvas. The dots' colour scale
    steps through `severity_order` (least severe first; the caller's, since a builder knows no domain). Outlines,
    dots, labels and type are drawn at the wall canvas's `scale` (components.theme.base_layout). A figure dict,
    built once per city and scale and shared."""
    features = {str(feature["id"]): feature for feature in geojson["features"]}
    traces: list[dict[str, Any]] = []
    latitudes = []
    for code, name in district_names.items():
        xs, ys = outline_xy([features[code]])
        latitudes.append(ys)
        traces.append({"type": "scatter", "x": typed_array(xs), "y": typed_array(ys), "mode": "lines",
                       "fill": "toself", "line": {"color": ACCENT, "width": 1.5 * scale}, "hoverinfo": "skip",
                       "name": name})
    traces.append({"type": "scattergl", "mode": "markers", "name": "events",
                   "marker": {"size": 7 * scale, "colorscale": _severity_scale(severity_order), "cmin": 0,
                              "cmax": len(severity_order), "opacity": 1,
                              "line": {"color": DOT_OUTLINE, "width": 1.2 * scale}},  # visible on every shade
                   "hovertemplate": "#%{customdata}<extra></extra>"})
    labels = []
    for code in district_names:
        x, y = shapely.get_coordinates(shapely.geometry.shape(features[code]["geometry"]).representative_point())[0]
        labels.append({"x": float(x), "y": float(y), "showarrow": False, "font": {"color": TEXT, "size": 16 * scale},
                       "bgcolor": "rgba(6,16,31,0.55)", "borderpad": 2 * scale})
    layout = {**base_layout(scale, margin={"l": 0, "r": 0, "t": 0, "b": 0}),
              **plane_axes(np.concatenate(latitudes), fixed=True),
              "annotations": labels, "hovermode": "closest", "dragmode": False, "uirevision": "event-map"}
    return {"data": traces, "layout": layout}


def with_axis_titles(figure: go.Figure, x_title: str, y_title: str, scale: float = 1.0) -> go.Figure:
    """`figure` with its x and y axes titled (what the axis counts, with its unit) in small muted type at the wall
    canvas's `scale`, the margins grown to hold them: a wall chart's panel heading names the chart, not its units."""
    for axis, title in (("xaxis", x_title), ("yaxis", y_title)):
        figure.layout[axis].update(automargin=True, title=axis_title(title, size=13 * scale, standoff=4 * scale))
    return figure
