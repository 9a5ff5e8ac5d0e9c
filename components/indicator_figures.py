"""Figures of the analyst's indicator page, built from the frames `services.indicators.views.drill_down` returns:
the bucketed trend with its thresholds, the district comparison and the district choropleth.

Dark-theme colours from `components.theme`; every label comes in through `labels` (i18n keys resolved by the page,
including each chart's `title` and value axis titles with their unit), so the same builders draw Chinese and English.
The map uses the offline background-only style: no tile requests.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from components.graphs import LEGEND_UNDER_TITLE, TITLED_MARGIN_TOP, chart_title, date_axis
from components.theme import ACCENT, GRID_LINE, MUTED, OFFLINE_MAP_STYLE, STATUS_COLOURS, TEXT, base_layout

VALUE_SCALE = [[0.0, "#0e2a4a"], [0.5, "#1f5fa8"], [1.0, "#2fd1ff"]]
# Values written out ("140,000"), not in SI ("140k"), which Chinese does not read; a date axis ignores both keys.
_AXES = {"gridcolor": GRID_LINE, "tickfont": {"color": MUTED}, "title": {"font": {"color": MUTED}}, "zeroline": False,
         "exponentformat": "none", "separatethousands": True}
_MARGIN = {"l": 64, "r": 16, "t": TITLED_MARGIN_TOP, "b": 48}
_LEGEND = {**LEGEND_UNDER_TITLE, "font": {"color": MUTED}}


def _thresholds(figure: go.Figure, warn: float | None, alarm: float | None, labels: Mapping[str, str]) -> None:
    """Dashed horizontal lines at the warn and alarm thresholds, in their status colours."""
    for status, value in (("warn", warn), ("alarm", alarm)):
        if value is not None:
            figure.add_hline(
                y=value, line={"color": STATUS_COLOURS[status], "dash": "dash", "width": 1.5},
                annotation={"text": f"{labels[status]} {value:g}", "font": {"color": STATUS_COLOURS[status]}},
                annotation_position="top left",
            )  # fmt: skip


def trend_figure(
    trend: pd.DataFrame,
    *,
    zone: str,
    unit: str,
    warn: float | None,
    alarm: float | None,
    labels: Mapping[str, str],
    lang: str,
) -> go.Figure:
    """Bucket averages as a line over the min–max band (trend: bucket_start UTC, avg, min, max), in `zone` time, on
    a date axis written as `lang` writes dates; labels["value_axis"] titles the value axis (with the unit)."""
    x = pd.to_datetime(trend["bucket_start"], utc=True).dt.tz_convert(zone).dt.tz_localize(None).tolist()
    band_x = x + x[::-1]
    band_y = trend["max"].tolist() + trend["min"].tolist()[::-1]
    figure = go.Figure(
        [
            go.Scatter(x=band_x, y=band_y, fill="toself", fillcolor="rgba(47,209,255,0.12)", hoverinfo="skip",
                       line={"width": 0}, name=labels["range"]),
            go.Scatter(x=x, y=trend["avg"].tolist(), mode="lines", line={"color": ACCENT, "width": 2.5},
                       name=labels["avg"], hovertemplate=f"%{{x}}<br>{labels['avg']} %{{y:.2f}} {unit}<extra></extra>"),
        ]
    )  # fmt: skip
    _thresholds(figure, warn, alarm, labels)
    figure.update_layout(
        **base_layout(showlegend=True, margin=_MARGIN),
        title=chart_title(labels["trend_title"]),
        legend=_LEGEND,
        xaxis={**_AXES, **date_axis(lang), "title": {"text": labels["time_axis"], "font": {"color": MUTED}}},
        yaxis={**_AXES, "title": {"text": labels["value_axis"], "font": {"color": MUTED}}},
        uirevision="indicator-trend",
    )
    return figure


def comparison_figure(
    comparison: pd.DataFrame,
    *,
    names: Mapping[str, str],
    selected: str | None,
    unit: str,
    labels: Mapping[str, str],
) -> go.Figure:
    """Each district's average over the range as a bar (the selected one highlighted), its maximum as a marker.

    No threshold lines: the catalog's thresholds are the whole city's (900 calls an hour city-wide over districts'
    40 would squash the bars and mean nothing), and it has none per district."""
    rows = comparison.sort_values("avg")
    districts = [names.get(code, code) for code in rows["district"]]
    colours = [ACCENT if code == selected else "#1f5fa8" for code in rows["district"]]
    figure = go.Figure(
        [
            go.Bar(y=districts, x=rows["avg"].tolist(), orientation="h", marker={"color": colours},
                   customdata=rows[["district"]].to_numpy(), name=labels["avg"],
                   hovertemplate=f"%{{y}}<br>{labels['avg']} %{{x:.2f}} {unit}<extra></extra>"),
            go.Scatter(y=districts, x=rows["max"].tolist(), mode="markers", name=labels["max"],
                       marker={"color": TEXT, "symbol": "line-ns-open", "size": 14, "line": {"width": 2}},
                       hovertemplate=f"%{{y}}<br>{labels['max']} %{{x:.2f}} {unit}<extra></extra>"),
        ]
    )  # fmt: skip
    figure.update_layout(
        **base_layout(showlegend=True, margin={**_MARGIN, "l": 72}),
        title=chart_title(labels["compare_title"]),
        legend=_LEGEND,
        xaxis={**_AXES, "title": {"text": labels["avg_axis"], "font": {"color": MUTED}}},
        yaxis={"tickfont": {"color": TEXT}, "title": {"text": labels["district_axis"], "font": {"color": MUTED}}},
        uirevision="indicator-compare",
    )
    return figure


def district_choropleth(
    geojson: Mapping[str, Any],
    latest: pd.DataFrame,
    *,
    names: Mapping[str, str],
    selected: str | None,
    center: tuple[float, float],
    unit: str,
    labels: Mapping[str, str],
    zoom: float = 8.6,
) -> go.Figure:
    """Districts shaded by their latest value (latest: district, value, status); the selected one outlined.

    Each district's adcode is its location, so a click's `points[0].location` names the district to drill into.
    """
    rows = latest.set_index("district").reindex(list(names))
    values = rows["value"].astype(float)
    status_text = [labels.get(str(s), labels["nodata"]) if isinstance(s, str) else labels["nodata"]
                   for s in rows["status"]]  # fmt: skip
    shading = go.Choroplethmap(
        geojson=dict(geojson),
        locations=list(names),
        z=values.fillna(0).tolist(),
        text=[names[code] for code in names],
        customdata=list(zip(values.round(2).astype(object).where(values.notna(), "—"), status_text, strict=True)),
        hovertemplate=f"%{{text}}<br>{labels['latest']} %{{customdata[0]}} {unit}<br>%{{customdata[1]}}"
                      "<extra></extra>",
        colorscale=VALUE_SCALE,
        marker={"line": {"color": GRID_LINE, "width": 1}, "opacity": 0.85},
        colorbar={"title": {"text": unit, "font": {"color": MUTED}}, "tickfont": {"color": MUTED}, "thickness": 10,
                  "exponentformat": "none", "separatethousands": True},
        name="districts",
    )  # fmt: skip
    figure = go.Figure(shading)
    if selected in names:
        # The outline is a trace of its own: map line widths cannot vary per feature within one trace.
        figure.add_trace(go.Choroplethmap(
            geojson=dict(geojson), locations=[selected], z=[0], colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]],
            marker={"line": {"color": ACCENT, "width": 4}}, showscale=False, hoverinfo="skip", name="selected",
        ))  # fmt: skip
    figure.update_layout(
        **base_layout(margin={"l": 8, "r": 8, "t": 40, "b": 8}),
        title=chart_title(labels["map_title"]),
        map={"style": OFFLINE_MAP_STYLE, "center": {"lat": center[0], "lon": center[1]}, "zoom": zoom},
        uirevision="indicator-map",
    )
    return figure
