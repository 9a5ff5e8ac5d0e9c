"""Figures of the /events page, from plain frames: the analyst's point map, the district and grid choropleths and a
department dispatch timeline.

Nothing here asks for tiles. The point map is `scattergl` on plain lon/lat axes (held to the map's aspect with
`scaleanchor`) with the district outlines as line traces: software WebGL draws 100 000 points that way in about a
second, where a map-projected scatter needs several. The choropleths use Plotly's map subplot on the shared offline
style. Arrays go in as numpy so Plotly ships them as typed arrays, not as lists of JSON numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.theme import ACCENT, GRID_LINE, MUTED, OFFLINE_MAP_STYLE, SEVERITY_COLOURS, TEXT, base_layout

EVENT_STATUS_COLOURS = {
    "reported": "#8aa4c8", "registered": "#3d8bff", "dispatched": "#2fd1ff", "in_progress": "#ffd400",
    "feedback": "#b18cff", "checking": "#ff8c1a", "rework": "#ff3b3b", "closed": "#27d17f", "cancelled": "#5d7394",
}
OPEN_SCALE = [[0.0, "#0e2a4a"], [0.5, "#1f5fa8"], [1.0, "#2fd1ff"]]
DENSITY_SCALE = [[0.0, "rgba(47,209,255,0)"], [0.3, "rgba(47,209,255,0.35)"], [0.7, "#ffd400"], [1.0, "#ff3b3b"]]
STAGE_COLOURS = {"accept": "#3d8bff", "arrive": "#ffd400", "finish": "#27d17f"}
ColourBy = Literal["status", "severity"]


def _outline_xy(geojson: Mapping[str, Any]) -> tuple[list[float | None], list[float | None]]:
    """Every ring of every feature as one polyline, rings separated by None (a single cheap trace)."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for feature in geojson["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        for ring in (ring for polygon in polygons for ring in polygon):
            xs.extend([p[0] for p in ring] + [None])
            ys.extend([p[1] for p in ring] + [None])
    return xs, ys


def point_map(outlines: Mapping[str, Any], points: pd.DataFrame, *, colour_by: ColourBy = "status",
              density: bool = False, names: Mapping[str, str] | None = None) -> go.Figure:
    """Events as WebGL points (one trace per status or severity, so the legend toggles them) over the district
    outlines; with `density`, a density contour of the same points instead of the dots. `customdata` is the id."""
    xs, ys = _outline_xy(outlines)
    traces: list[Any] = [go.Scatter(x=xs, y=ys, mode="lines", line={"color": ACCENT, "width": 1}, hoverinfo="skip",
                                    showlegend=False, name="districts")]
    if density:
        traces.append(go.Histogram2dContour(x=points["lon"].to_numpy(float), y=points["lat"].to_numpy(float),
                                            colorscale=DENSITY_SCALE, showscale=False, ncontours=12,
                                            contours={"coloring": "fill", "showlines": False}, name="density",
                                            hoverinfo="skip"))
    else:
        colours = EVENT_STATUS_COLOURS if colour_by == "status" else SEVERITY_COLOURS
        for value, group in points.groupby(colour_by, sort=False):
            traces.append(go.Scattergl(
                x=group["lon"].to_numpy(float), y=group["lat"].to_numpy(float), mode="markers",
                marker={"size": 4, "color": colours.get(str(value), MUTED), "opacity": 0.85},
                customdata=group["id"].to_numpy(np.int64), name=(names or {}).get(str(value), str(value)),
                hovertemplate="#%{customdata}<extra>%{fullData.name}</extra>"))
    figure = go.Figure(traces)
    axis = {"visible": False, "showgrid": False, "zeroline": False}
    figure.update_layout(**base_layout(showlegend=not density, margin={"l": 0, "r": 0, "t": 0, "b": 0}),
                         xaxis=axis, yaxis={**axis, "scaleanchor": "x", "scaleratio": 1 / _lat_scale(ys)},
                         legend={"orientation": "h", "y": 0, "font": {"color": TEXT}}, dragmode="pan",
                         uirevision="event-points")
    return figure


def _lat_scale(ys: Sequence[float | None]) -> float:
    """cos(latitude): how much shorter a degree of longitude is than one of latitude in the middle of the city."""
    values = [y for y in ys if y is not None]
    return math.cos(math.radians((min(values) + max(values)) / 2)) if values else 1.0


def _map_layout(center: tuple[float, float], zoom: float, revision: str) -> dict[str, Any]:
    return {**base_layout(margin={"l": 0, "r": 0, "t": 0, "b": 0}),
            "map": {"style": OFFLINE_MAP_STYLE, "center": {"lat": center[0], "lon": center[1]}, "zoom": zoom},
            "uirevision": revision}


def district_choropleth(geojson: Mapping[str, Any], names: Mapping[str, str], counts: pd.DataFrame, *,
                        center: tuple[float, float], labels: Mapping[str, str], zoom: float = 9.0) -> go.Figure:
    """Districts shaded by open events; a click gives `points[0].location` = the adcode to drill into."""
    codes = list(names)
    table = counts.set_index("district").reindex(codes, fill_value=0)
    figure = go.Figure(go.Choroplethmap(
        geojson=dict(geojson), locations=codes, z=table["open"].to_numpy(np.int64),
        text=[names[c] for c in codes], customdata=table[["events", "overdue"]].to_numpy(np.int64),
        hovertemplate=(f"%{{text}}<br>{labels['open']} %{{z}}<br>{labels['overdue']} %{{customdata[1]}}"
                       f"<br>{labels['events']} %{{customdata[0]}}<extra></extra>"),
        colorscale=OPEN_SCALE, marker={"line": {"color": ACCENT, "width": 1.5}, "opacity": 0.8}, showscale=False,
        name="districts"))
    figure.update_layout(**_map_layout(center, zoom, "event-districts"))
    return figure


def zoom_for(bounds: tuple[float, float, float, float]) -> float:
    """A map zoom that fits a (min lon, min lat, max lon, max lat) box in a panel about 600 px across."""
    span = max(bounds[2] - bounds[0], bounds[3] - bounds[1], 1e-3)
    return max(1.0, min(15.0, math.log2(360 * 600 / 512 / span)))


def grid_map(cells: Mapping[str, Any], counts: pd.DataFrame, points: pd.DataFrame, *,
             bounds: tuple[float, float, float, float], labels: Mapping[str, str]) -> go.Figure:
    """One district's grid cells shaded by events, with its events as dots (capped upstream to tens of
    thousands); a dot's `customdata` is the event id, a cell's `location` its cell id."""
    ids = [feature["id"] for feature in cells["features"]]
    z = counts.set_index("cell")["events"].reindex(ids, fill_value=0).to_numpy(np.int64)
    shaded = go.Choroplethmap(geojson=dict(cells), locations=ids, z=z, colorscale=OPEN_SCALE, showscale=False,
                              marker={"line": {"color": GRID_LINE, "width": 0.5}, "opacity": 0.7},
                              hovertemplate=f"%{{location}}<br>{labels['events']} %{{z}}<extra></extra>",
                              name="grid")
    # One trace per status with one colour: a colour per point costs Plotly's validator ~0.1 ms a point.
    dots = [go.Scattermap(lat=group["lat"].to_numpy(float), lon=group["lon"].to_numpy(float), mode="markers",
                          marker={"size": 7, "color": EVENT_STATUS_COLOURS.get(str(status), MUTED)},
                          customdata=group["id"].to_numpy(np.int64), hovertemplate="#%{customdata}<extra></extra>",
                          name=str(status)) for status, group in points.groupby("status", sort=False)]
    figure = go.Figure([shaded, *dots])
    center = ((bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2)
    figure.update_layout(**_map_layout(center, zoom_for(bounds), f"event-grid-{center}"))
    return figure


def dispatch_timeline(dispatches: pd.DataFrame, *, names: Mapping[str, str], stage_labels: Mapping[str, str],
                      now: pd.Timestamp) -> go.Figure:
    """One row per department: dispatched → accepted → arrived → finished as coloured segments; a stage still
    running is drawn up to `now` (dotted), so a stalled department stands out."""
    rows = [names.get(d, d) for d in dispatches["department"]]
    marks = ["dispatched_at", "accepted_at", "arrived_at", "finished_at"]
    traces = []
    for stage, (begin, end) in zip(STAGE_COLOURS, zip(marks, marks[1:], strict=False), strict=True):
        for running in (False, True):
            xs: list[Any] = []
            ys: list[Any] = []
            for row, start, stop in zip(rows, dispatches[begin], dispatches[end], strict=True):
                if pd.isna(start) or pd.isna(stop) != running:
                    continue
                xs += [start, now if running else stop, None]
                ys += [row, row, None]
            traces.append(go.Scatter(x=xs, y=ys, mode="lines+markers", name=stage_labels[stage],
                                     line={"color": STAGE_COLOURS[stage], "width": 10,
                                           "dash": "dot" if running else "solid"},
                                     marker={"size": 10}, showlegend=not running, legendgroup=stage))
    figure = go.Figure(traces)
    figure.update_layout(**base_layout(showlegend=True, margin={"l": 8, "r": 8, "t": 28, "b": 28}),
                         legend={"orientation": "h", "y": 1.15},
                         xaxis={"type": "date", "gridcolor": GRID_LINE, "tickfont": {"color": MUTED}},
                         yaxis={"type": "category", "autorange": "reversed", "tickfont": {"color": TEXT}},
                         height=max(160, 60 + 40 * len(rows)))
    return figure


def linkage_bars(stats: pd.DataFrame, *, names: Mapping[str, str], labels: Mapping[str, str]) -> go.Figure:
    """Per department, p50 and p90 minutes from dispatch to finish, worst bottleneck on top."""
    ranked = stats.sort_values("rank", ascending=False)
    y = [names.get(d, d) for d in ranked["department"]]
    figure = go.Figure([
        go.Bar(x=ranked["finish_p50"].to_numpy(float), y=y, orientation="h", name=labels["p50"],
               marker_color=ACCENT),
        go.Bar(x=ranked["finish_p90"].to_numpy(float), y=y, orientation="h", name=labels["p90"],
               marker_color="#ff8c1a"),
    ])
    figure.update_layout(**base_layout(showlegend=True, margin={"l": 8, "r": 8, "t": 28, "b": 28}), barmode="group",
                         legend={"orientation": "h", "y": 1.1},
                         xaxis={"title": labels["minutes"], "gridcolor": GRID_LINE, "tickfont": {"color": MUTED}},
                         yaxis={"tickfont": {"color": TEXT}, "automargin": True},
                         height=max(200, 60 + 28 * len(y)))
    return figure


def trend_line(trend: pd.DataFrame, *, label: str) -> go.Figure:
    """The share of events needing two or more departments per period, with the period's event count on hover."""
    figure = go.Figure(go.Scatter(x=trend["period"], y=trend["multi_share"].to_numpy(float), mode="lines+markers",
                                  customdata=trend["events"].to_numpy(np.int64), name=label,
                                  hovertemplate="%{x|%Y-%m-%d} %{y:.1%} (n=%{customdata})<extra></extra>",
                                  line={"color": ACCENT, "width": 2}))
    figure.update_layout(**base_layout(margin={"l": 44, "r": 8, "t": 8, "b": 28}),
                         xaxis={"gridcolor": GRID_LINE, "tickfont": {"color": MUTED}},
                         yaxis={"gridcolor": GRID_LINE, "tickfont": {"color": MUTED}, "tickformat": ".0%",
                                "rangemode": "tozero"}, height=220)
    return figure
