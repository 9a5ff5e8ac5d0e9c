"""Plotly figures of the wall, built from plain frames: the event map and the approvals throughput.

The map has no tile layer: district polygons from the city's GeoJSON on an offline background style, so it draws on
an intranet with no internet at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.theme import ACCENT, MUTED, OFFLINE_MAP_STYLE, SEVERITY_COLOURS, base_layout

OPEN_SCALE = [[0.0, "#0e2a4a"], [0.5, "#1f5fa8"], [1.0, "#2fd1ff"]]
# Severity as a number on a stepped colour scale: one small array instead of a colour string per dot.
SEVERITY_ORDER = ("minor", "moderate", "severe", "extreme")
SEVERITY_SCALE = [[bound, SEVERITY_COLOURS.get(name, MUTED)] for i, name in enumerate(SEVERITY_ORDER)
                  for bound in (i / len(SEVERITY_ORDER), (i + 1) / len(SEVERITY_ORDER))]


def event_map_data(
    district_names: Mapping[str, str], open_by_district: pd.DataFrame, points: pd.DataFrame
) -> list[dict[str, Any]]:
    """What changes on each refresh, per trace (districts, events): the wall patches these into its figure in place
    rather than sending a new one."""
    counts = open_by_district.set_index("district").reindex(list(district_names), fill_value=0)
    severity = pd.Categorical(points["severity"], categories=SEVERITY_ORDER).codes
    return [
        {"z": counts["open"].to_numpy(np.int64), "customdata": counts[["overdue"]].to_numpy(np.int64)},
        {"lat": points["lat"].to_numpy(np.float32), "lon": points["lon"].to_numpy(np.float32),
         "marker.color": np.where(severity < 0, 0, severity).astype(np.int8) + 0.5,
         "text": points["category"].to_numpy(object), "customdata": points["id"].to_numpy(np.int64)},
    ]


def event_map(
    geojson: Mapping[str, Any],
    district_names: Mapping[str, str],
    open_by_district: pd.DataFrame,
    points: pd.DataFrame,
    center: tuple[float, float],
    zoom: float = 9.0,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """Districts shaded by open events, with one dot per open event coloured by severity."""
    labels = labels or {"open": "在办事件", "overdue": "超期"}
    districts, dots = event_map_data(district_names, open_by_district, points)
    choropleth = go.Choroplethmap(
        geojson=dict(geojson),
        locations=list(district_names),
        z=districts["z"],
        text=[district_names[code] for code in district_names],
        customdata=districts["customdata"],
        hovertemplate=f"%{{text}}<br>{labels['open']} %{{z}}<br>{labels['overdue']} %{{customdata[0]}}<extra></extra>",
        colorscale=OPEN_SCALE,
        marker={"line": {"color": ACCENT, "width": 1.5}, "opacity": 0.75},
        showscale=False,
        name="districts",
    )
    events = go.Scattermap(
        lat=dots["lat"],
        lon=dots["lon"],
        mode="markers",
        marker={"size": 6, "color": dots["marker.color"], "colorscale": SEVERITY_SCALE, "cmin": 0,
                "cmax": len(SEVERITY_ORDER), "opacity": 0.9},
        text=dots["text"],
        customdata=dots["customdata"],
        hovertemplate="%{text} #%{customdata}<extra></extra>",
        name="events",
    )
    figure = go.Figure([choropleth, events])
    figure.update_layout(
        **base_layout(),
        map={"style": OFFLINE_MAP_STYLE, "center": {"lat": center[0], "lon": center[1]}, "zoom": zoom},
        uirevision="event-map",
    )
    return figure

