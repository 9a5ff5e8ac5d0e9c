"""The /hotline page's charts, from plain frames: orders per hour stacked by channel, and the top categories.

Each bar carries what the page drills by in `customdata` (the hour's UTC start and the channel; the category's
code), so a click on any bar lists its orders.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from components.graphs import LEGEND_UNDER_TITLE, TITLED_MARGIN_TOP, chart_title, date_axis
from components.theme import ACCENT, GRID_LINE, MUTED, base_layout

CHANNEL_COLOURS = {"phone": ACCENT, "web": "#27d17f", "app": "#ffb020", "mini_program": "#b07cff",
                   "province": "#ff6b8b", "open311": "#8aa4c8"}


def _axis(**extra: object) -> dict[str, object]:
    return {"gridcolor": GRID_LINE, "tickfont": {"color": MUTED}, "automargin": True, **extra}


def volume_figure(frame: pd.DataFrame, channel_names: Mapping[str, str], texts: Mapping[str, str],
                  lang: str) -> go.Figure:
    """`frame`: (hour: local timestamps, hour_key: the UTC start in ISO form, channel, orders); one bar trace per
    channel in `channel_names`' order, stacked."""
    traces = []
    for channel, name in channel_names.items():
        rows = frame[frame["channel"] == channel]
        if rows.empty:
            continue
        traces.append(go.Bar(x=rows["hour"].dt.strftime("%Y-%m-%d %H:%M").tolist(), y=rows["orders"].tolist(),
                             name=name, marker={"color": CHANNEL_COLOURS.get(channel, MUTED)},
                             customdata=[[key, channel] for key in rows["hour_key"]]))
    figure = go.Figure(traces)
    figure.update_layout(**base_layout(showlegend=True, margin={"l": 8, "r": 8, "t": TITLED_MARGIN_TOP, "b": 8}),
                         barmode="stack", title=chart_title(texts["title"]), legend=LEGEND_UNDER_TITLE,
                         xaxis=_axis(**date_axis(lang)),
                         yaxis=_axis(rangemode="tozero", title={"text": texts["y"], "font": {"color": MUTED}}))
    return figure


def categories_figure(frame: pd.DataFrame, names: Mapping[str, str], texts: Mapping[str, str]) -> go.Figure:
    """`frame`: (category, orders), most first; drawn top-down as horizontal bars."""
    shown = frame.iloc[::-1]
    figure = go.Figure(go.Bar(x=shown["orders"].tolist(), y=[names.get(c, c) for c in shown["category"]],
                              orientation="h", marker={"color": ACCENT}, customdata=shown["category"].tolist(),
                              text=shown["orders"].tolist(), textposition="auto"))
    figure.update_layout(**base_layout(margin={"l": 8, "r": 8, "t": TITLED_MARGIN_TOP, "b": 8}),
                         title=chart_title(texts["title"]),
                         xaxis=_axis(rangemode="tozero", title={"text": texts["x"], "font": {"color": MUTED}}),
                         yaxis=_axis())
    return figure
