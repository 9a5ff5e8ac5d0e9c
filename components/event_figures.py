"""Figures of the /events page, from plain frames: the analyst's point map, the district and grid choropleths and a
department dispatch timeline.

Nothing here asks for tiles. The point map is `scattergl` on plain lon/lat axes (components/plane_map.py) with the
district outlines as line traces: software WebGL draws 100 000 points that way in about a second, where a
map-projected scatter needs several. The choropleths use Plotly's map subplot on the shared offline style, since a
click on a polygon drills into it. Arrays go in as numpy so Plotly ships them as typed arrays, not as lists of JSON
numbers.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.graphs import axis_title, chart_title, date_axis
from components.plane_map import outline_xy, plane_axes
from components.theme import ACCENT, GRID_LINE, MUTED, OFFLINE_MAP_STYLE, SEVERITY_COLOURS, TEXT, base_layout

EVENT_STATUS_COLOURS = {
    "reported": "#8aa4c8", "registered": "#3d8bff", "dispatched": "#2fd1ff", "in_progress": "#ffd400",
    "feedback": "#b18cff", "checking": "#ff8c1a", "rework": "#ff3b3b", "closed": "#27d17f", "cancelled": "#5d7394",
}
OPEN_SCALE = [[0.0, "#0e2a4a"], [0.5, "#1f5fa8"], [1.0, "#2fd1ff"]]
DENSITY_SCALE = [[0.0, "rgba(47,209,255,0)"], [0.3, "rgba(47,209,255,0.35)"], [0.7, "#ffd400"], [1.0, "#ff3b3b"]]
STAGE_COLOURS = {"accept": "#3d8bff", "arrive": "#ffd400", "finish": "#27d17f"}
ColourBy = Literal["status", "severity"]
# plotly.js builds a spatial index (point-cluster) for a scattergl trace of 100 000 points or more, which costs
# more than it saves here: bigger groups are drawn as several traces of one legend group.
TRACE_POINTS = 50_000


def typed_array(values: np.ndarray) -> dict[str, str]:
    """A numpy array as plotly.js's typed-array spec (dtype + base64 of its little-endian bytes): what Plotly
    makes of numpy arrays itself, done once here so a big trace skips Plotly's validation and copying."""
    kind = {"f": "f", "i": "i", "u": "u"}[values.dtype.kind]
    wire = np.ascontiguousarray(values, dtype=values.dtype.newbyteorder("<"))
    return {"dtype": f"{kind}{wire.dtype.itemsize}", "bdata": base64.b64encode(wire.tobytes()).decode("ascii")}


def point_map(outlines: Mapping[str, Any], points: pd.DataFrame, *, colour_by: ColourBy = "status",
              density: bool = False, names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Events as WebGL points (one trace per status or severity, so the legend toggles them) over the district
    outlines; with `density`, a density contour of the same points instead of the dots. `customdata` is the id.

    A figure dict whose point traces carry one colour each, float32 coordinates and int32 ids as typed arrays,
    nothing per point as text (about 1.7 MB for 100 000 points). A trace under 100 000 points spares plotly.js the
    spatial index it builds for bigger ones (bench/events.py: the single-trace figure drew slower). Built as a dict:
    validating 100 000-point traces through plotly's graph objects cost more than the query on a loaded machine."""
    xs, ys = outline_xy(outlines["features"])
    traces: list[dict[str, Any]] = [{"type": "scatter", "x": typed_array(xs), "y": typed_array(ys), "mode": "lines",
                                     "line": {"color": ACCENT, "width": 1}, "hoverinfo": "skip", "showlegend": False,
                                     "name": "districts"}]
    lon, lat = points["lon"].to_numpy(np.float32), points["lat"].to_numpy(np.float32)
    if density:
        traces.append({"type": "histogram2dcontour", "x": typed_array(lon), "y": typed_array(lat),
                       "colorscale": DENSITY_SCALE, "showscale": False, "ncontours": 12,
                       "contours": {"coloring": "fill", "showlines": False}, "name": "density", "hoverinfo": "skip"})
    else:
        colours = EVENT_STATUS_COLOURS if colour_by == "status" else SEVERITY_COLOURS
        groups = pd.Categorical(points[colour_by])
        codes, ids = groups.codes, points["id"].to_numpy(np.int32)
        for code, value in enumerate(groups.categories):
            mine = np.flatnonzero(codes == code)
            for part in range(0, len(mine), TRACE_POINTS):
                rows = mine[part:part + TRACE_POINTS]
                traces.append({
                    "type": "scattergl", "x": typed_array(lon[rows]), "y": typed_array(lat[rows]), "mode": "markers",
                    "customdata": typed_array(ids[rows]),
                    "marker": {"size": 4, "color": colours.get(str(value), MUTED), "opacity": 0.85},
                    "name": (names or {}).get(str(value), str(value)), "legendgroup": str(value),
                    "showlegend": part == 0, "hovertemplate": "#%{customdata}<extra>%{fullData.name}</extra>"})
    layout = {**base_layout(showlegend=not density, margin={"l": 0, "r": 0, "t": 0, "b": 0}), **plane_axes(ys),
              "legend": {"orientation": "h", "y": 0, "font": {"color": TEXT}}, "dragmode": "pan",
              "uirevision": "event-points"}
    return {"data": traces, "layout": layout}


def _map_layout(center: tuple[float, float], zoom: float, revision: str) -> dict[str, Any]:
    return {**base_layout(margin={"l": 0, "r": 0, "t": 0, "b": 0}),
            "map": {"style": OFFLINE_MAP_STYLE, "center": {"lat": center[0], "lon": center[1]}, "zoom": zoom},
            "uirevision": revision}


def district_choropleth(geojson: Mapping[str, Any], names: Mapping[str, str], counts: pd.DataFrame, *,
                        center: tuple[float, float], labels: Mapping[str, str], zoom: float = 9.0) -> dict[str, Any]:
    """Districts shaded by open events; a click gives `points[0].location` = the adcode to drill into. A figure
    dict: Plotly's graph objects deep-copy the GeoJSON on every build, most of this view's time."""
    codes = list(names)
    table = counts.set_index("district").reindex(codes, fill_value=0)
    trace = {"type": "choroplethmap", "geojson": geojson, "locations": codes,
             "z": table["open"].astype(int).tolist(), "text": [names[c] for c in codes],
             "customdata": table[["events", "overdue"]].astype(int).to_numpy().tolist(),
             "hovertemplate": (f"%{{text}}<br>{labels['open']} %{{z}}<br>{labels['overdue']} %{{customdata[1]}}"
                               f"<br>{labels['events']} %{{customdata[0]}}<extra></extra>"),
             "colorscale": OPEN_SCALE, "marker": {"line": {"color": ACCENT, "width": 1.5}, "opacity": 0.8},
             "showscale": False, "name": "districts"}
    return {"data": [trace], "layout": _map_layout(center, zoom, "event-districts")}


def zoom_for(bounds: tuple[float, float, float, float]) -> float:
    """A map zoom that fits a (min lon, min lat, max lon, max lat) box in a panel about 600 px across."""
    span = max(bounds[2] - bounds[0], bounds[3] - bounds[1], 1e-3)
    return max(1.0, min(15.0, math.log2(360 * 600 / 512 / span)))


def grid_map(cells: Mapping[str, Any], counts: pd.DataFrame, points: pd.DataFrame, *,
             bounds: tuple[float, float, float, float], labels: Mapping[str, str]) -> dict[str, Any]:
    """One district's grid cells shaded by events, with its events as dots (capped upstream to tens of
    thousands); a dot's `customdata` is the event id, a cell's `location` its cell id. A figure dict, dots as
    typed arrays, one trace (one colour) per status."""
    ids = [feature["id"] for feature in cells["features"]]
    z = counts.set_index("cell")["events"].reindex(ids, fill_value=0).astype(int).tolist()
    shaded = {"type": "choroplethmap", "geojson": cells, "locations": ids, "z": z, "colorscale": OPEN_SCALE,
              "showscale": False, "marker": {"line": {"color": GRID_LINE, "width": 0.5}, "opacity": 0.7},
              "hovertemplate": f"%{{location}}<br>{labels['events']} %{{z}}<extra></extra>", "name": "grid"}
    groups = pd.Categorical(points["status"])
    lon, lat, event_ids = (points["lon"].to_numpy(np.float32), points["lat"].to_numpy(np.float32),
                           points["id"].to_numpy(np.int32))
    dots = []
    for code, status in enumerate(groups.categories):
        mine = groups.codes == code
        if mine.any():
            dots.append({"type": "scattermap", "lat": typed_array(lat[mine]), "lon": typed_array(lon[mine]),
                         "mode": "markers", "customdata": typed_array(event_ids[mine]),
                         "marker": {"size": 7, "color": EVENT_STATUS_COLOURS.get(str(status), MUTED)},
                         "hovertemplate": "#%{customdata}<extra></extra>", "name": str(status)})
    center = ((bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2)
    return {"data": [shaded, *dots], "layout": _map_layout(center, zoom_for(bounds), f"event-grid-{center}")}


def dispatch_timeline(dispatches: pd.DataFrame, *, names: Mapping[str, str], stage_labels: Mapping[str, str],
                      now: pd.Timestamp, texts: Mapping[str, str]) -> go.Figure:
    """One row per department: dispatched → accepted → arrived → finished as coloured segments; a stage still
    running is drawn up to `now` (dotted), so a stalled department stands out. With no dispatch, the figure says
    why it is empty (`texts["empty"]`) instead of showing bare axes; `texts["axis"]` names the time axis."""
    if dispatches.empty:
        figure = go.Figure()
        figure.update_layout(**base_layout(), height=120, xaxis={"visible": False}, yaxis={"visible": False},
                             annotations=[{"text": texts["empty"], "showarrow": False, "x": 0.5, "y": 0.5,
                                           "xref": "paper", "yref": "paper", "font": {"color": MUTED, "size": 14}}])
        return figure
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
    figure.update_layout(**base_layout(showlegend=True, margin={"l": 8, "r": 8, "t": 28, "b": 44}),
                         legend={"orientation": "h", "y": 1.15},
                         xaxis={"type": "date", "gridcolor": GRID_LINE, "tickfont": {"color": MUTED},
                                "title": axis_title(texts["axis"], size=12)},
                         yaxis={"type": "category", "autorange": "reversed", "tickfont": {"color": TEXT},
                                "automargin": True},
                         height=max(180, 76 + 40 * len(rows)))
    return figure


def linkage_bars(stats: pd.DataFrame, *, names: Mapping[str, str], texts: Mapping[str, str]) -> go.Figure:
    """Per department, p50 and p90 minutes from dispatch to finish, worst bottleneck on top; `texts` gives the
    title, the axis titles (x, y) and the two series' names (p50, p90)."""
    ranked = stats.sort_values("rank", ascending=False)
    y = [names.get(d, d) for d in ranked["department"]]
    figure = go.Figure([
        go.Bar(x=ranked["finish_p50"].to_numpy(float), y=y, orientation="h", name=texts["p50"],
               marker_color=ACCENT, hovertemplate="%{y}: %{x:.1f}<extra>%{fullData.name}</extra>"),
        go.Bar(x=ranked["finish_p90"].to_numpy(float), y=y, orientation="h", name=texts["p90"],
               marker_color="#ff8c1a", hovertemplate="%{y}: %{x:.1f}<extra>%{fullData.name}</extra>"),
    ])
    figure.update_layout(**base_layout(showlegend=True, margin={"l": 8, "r": 8, "t": 56, "b": 44}), barmode="group",
                         title=chart_title(texts["title"]),
                         legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
                         xaxis={"title": axis_title(texts["x"], size=12), "gridcolor": GRID_LINE,
                                "tickfont": {"color": MUTED}},
                         yaxis={"title": axis_title(texts["y"], size=12), "tickfont": {"color": TEXT},
                                "automargin": True},
                         height=max(240, 110 + 28 * len(y)))
    return figure


def trend_line(trend: pd.DataFrame, *, texts: Mapping[str, str], lang: str = "zh-CN") -> go.Figure:
    """The share of events needing two or more departments per period, with the period's event count on hover;
    `texts` gives the series name, the title and the axis titles (x: the period, y: the share with its unit); the
    dates are written as `lang` writes them (graphs.date_axis)."""
    figure = go.Figure(go.Scatter(x=trend["period"], y=trend["multi_share"].to_numpy(float), mode="lines+markers",
                                  customdata=trend["events"].to_numpy(np.int64), name=texts["name"],
                                  hovertemplate="%{x} %{y:.1%} (n=%{customdata})<extra></extra>",
                                  line={"color": ACCENT, "width": 2}))
    figure.update_layout(**base_layout(margin={"l": 8, "r": 8, "t": 40, "b": 44}), title=chart_title(texts["title"]),
                         xaxis={**date_axis(lang, "day"), "gridcolor": GRID_LINE, "tickfont": {"color": MUTED},
                                "title": axis_title(texts["x"], size=12)},
                         yaxis={"gridcolor": GRID_LINE, "tickfont": {"color": MUTED}, "tickformat": ".0%",
                                "rangemode": "tozero", "title": axis_title(texts["y"], size=12), "automargin": True},
                         height=260)
    return figure
