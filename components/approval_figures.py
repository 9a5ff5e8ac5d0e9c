"""Figures and tables of the approvals page (and the wall's approvals panel), built from plain frames.

The throughput figure is built once and then extended in place: `throughput_patch` turns the newest hourly rows
into a `Patch` that rewrites the still-filling hour, appends the hours that began since, and drops as many from
the front, so the browser never redraws the figure from scratch and the page can stay open for weeks.

On the page every chart is `titled` (its title and its axes' with units); the wall's panels have headings of their own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from dash import Patch, html

from components.graphs import LEGEND_UNDER_TITLE, TITLED_MARGIN_TOP, axis_title, chart_title
from components.html_attrs import data_attributes
from components.theme import ACCENT, GRID_LINE, MUTED, STATUS_COLOURS, base_layout

SERIES = ("received", "completed", "backlog")
SERIES_COLOURS = {"received": ACCENT, "completed": "#27d17f", "backlog": "#ffb020"}
RATING_COLOURS = {1: "#ff3b3b", 2: "#ff8c1a", 3: "#ffd400", 4: "#6fd0ff", 5: "#27d17f"}
CARD_COLOURS = {"red": STATUS_COLOURS["alarm"], "yellow": "#ffd400", "none": MUTED}
LEGEND_ITEM_WIDTH = 30  # plotly.js's own (and its least): the legend's line sample


def _axes(scale: float = 1.0, **extra: Any) -> dict[str, Any]:
    """An axis in the wall's colours; grid and zero lines as wide as plotly's own at 1080p, times `scale` (see
    components.theme.base_layout)."""
    return {"gridcolor": GRID_LINE, "gridwidth": scale, "zerolinewidth": 2 * scale, "tickfont": {"color": MUTED},
            **extra}


def throughput_figure(frame: pd.DataFrame, labels: Sequence[str], names: Mapping[str, str],
                      series: Sequence[str] = SERIES, scale: float = 1.0, y_ticks: int | None = None,
                      xaxis: Mapping[str, Any] | None = None, markers: bool = False) -> go.Figure:
    """Received and completed per hour (lines) and, among `series`, the backlog at each hour's end (dotted, right
    axis); the wall shows received and completed only, at its canvas's `scale` (components.theme.base_layout).
    plotly.js puts a y tick every 40 screen pixels or so whatever the type size, so a chart on a larger canvas
    would show more ticks: `y_ticks` holds the most shown, whatever the scale. The x `labels` are categories (clock
    hours, the wall's) unless `xaxis` says otherwise: the page's hours and days are ISO local times on a date axis
    (components.graphs.date_axis); its days have `markers`, so that a single day still shows."""
    mode = "lines+markers" if markers else "lines"
    traces = [go.Scatter(x=list(labels), y=frame[s].astype(int).tolist(), name=names[s], mode=mode,
                         line={"color": SERIES_COLOURS[s], "width": 3 * scale, "dash": "dot" if s == "backlog" else "solid"},
                         yaxis="y2" if s == "backlog" else "y") for s in series]
    figure = go.Figure(traces)
    figure.update_layout(
        **base_layout(scale, showlegend=True, margin={"l": 44, "r": 52, "t": 8, "b": 36}),
        legend={"orientation": "h", "x": 0, "y": 1.12, "itemwidth": max(LEGEND_ITEM_WIDTH, LEGEND_ITEM_WIDTH * scale)},
        xaxis=_axes(scale, nticks=8, **(xaxis or {"type": "category"})),
        yaxis=_axes(scale, rangemode="tozero", nticks=y_ticks),
        yaxis2=_axes(scale, overlaying="y", side="right", rangemode="tozero", showgrid=False, nticks=y_ticks),
        uirevision="approvals-throughput",
    )
    return figure


def throughput_patch(recent: pd.DataFrame, keys: Sequence[str], labels: Sequence[str], last_key: str,
                     size: int, series: Sequence[str] = SERIES) -> tuple[Patch, str]:
    """(the Patch that brings a `size`-point figure of `series` whose last point is hour `last_key` up to `recent`,
    the new last key). `recent` holds hourly rows from `last_key` on, with sortable `keys` (ISO hours) and axis
    `labels`."""
    patch = Patch()
    updates, appended, newest = [], [], last_key
    for (_, row), key, label in zip(recent.iterrows(), keys, labels, strict=True):
        if key == last_key:
            updates.append(row)
        elif key > last_key:
            appended.append((row, label))
            newest = max(newest, key)
    for trace, name in enumerate(series):
        for row in updates:
            patch["data"][trace]["y"][size - 1] = int(row[name])
        for row, label in appended:
            patch["data"][trace]["x"].append(label)
            patch["data"][trace]["y"].append(int(row[name]))
        for _ in appended:
            del patch["data"][trace]["x"][0]
            del patch["data"][trace]["y"][0]
    return patch, newest


def ranking_figure(frame: pd.DataFrame, names: Mapping[str, str], labels: Mapping[str, str]) -> go.Figure:
    """Groups (departments or matters) ranked by on-time rate, bars labelled with applications received; each bar
    carries its code in customdata so a click drills into it."""
    frame = frame.sort_values(["on_time_rate", "received"], ascending=[True, True], na_position="first")
    rate = (frame["on_time_rate"] * 100).round(1)
    figure = go.Figure(go.Bar(
        x=rate.fillna(0).tolist(), y=[names.get(k, k) for k in frame["key"]], orientation="h",
        customdata=frame[["key"]].to_numpy().tolist(), text=[f"{v:g}%" if pd.notna(v) else "—" for v in rate],
        textposition="auto", marker={"color": [STATUS_COLOURS["normal"] if v >= 95 else STATUS_COLOURS["warn"]
                                                if v >= 85 else STATUS_COLOURS["alarm"] for v in rate.fillna(0)]},
        hovertemplate=f"%{{y}}<br>{labels['on_time']} %{{x}}%<extra></extra>"))
    figure.update_layout(**base_layout(margin={"l": 8, "r": 8, "t": 8, "b": 28}),
                         xaxis=_axes(range=[0, 100], ticksuffix="%"), yaxis=_axes(automargin=True),
                         uirevision="approvals-ranking")
    return figure


def review_figure(counts: Mapping[int, int], labels: Mapping[int, str]) -> go.Figure:
    """The five 好差评 levels, bad (1–2) in red and orange."""
    levels = [5, 4, 3, 2, 1]
    figure = go.Figure(go.Bar(x=[labels[v] for v in levels], y=[int(counts.get(v, 0)) for v in levels],
                              marker={"color": [RATING_COLOURS[v] for v in levels]}))
    figure.update_layout(**base_layout(margin={"l": 40, "r": 8, "t": 8, "b": 36}), xaxis=_axes(),
                         yaxis=_axes(rangemode="tozero"))
    return figure


def bundle_figure(frame: pd.DataFrame, names: Mapping[str, str], labels: Mapping[str, str]) -> go.Figure:
    """Per one-thing bundle: mean hours of the parallel process beside the sum of its matters' own hours."""
    y = [names.get(b, b) for b in frame["bundle"]]
    figure = go.Figure([
        go.Bar(y=y, x=frame["sequential_hours"].round(1).tolist(), name=labels["sequential"], orientation="h",
               marker={"color": MUTED}),
        go.Bar(y=y, x=frame["parallel_hours"].round(1).tolist(), name=labels["parallel"], orientation="h",
               marker={"color": ACCENT}),
    ])
    figure.update_layout(**base_layout(showlegend=True, margin={"l": 8, "r": 8, "t": 8, "b": 28}), barmode="group",
                         legend={"orientation": "h", "y": 1.15}, xaxis=_axes(ticksuffix=" h"),
                         yaxis=_axes(automargin=True))
    return figure


def titled(figure: go.Figure, titles: Mapping[str, str]) -> go.Figure:
    """`figure` with its title and its axes' titles (`titles`: title, x, y and, for a second value axis, y2), the
    legend on the line below the title, and the margins grown to hold them."""
    figure.update_layout(title=chart_title(titles["title"]), margin={"t": TITLED_MARGIN_TOP}, legend=LEGEND_UNDER_TITLE)
    for axis, name in (("x", "xaxis"), ("y", "yaxis"), ("y2", "yaxis2")):
        if axis in titles:
            figure.layout[name].update(title=axis_title(titles[axis]), automargin=True)
    return figure


def card_badge(card: str, text: str) -> html.Span:
    """A yellow or red card (SLA) as a coloured badge carrying `data-card`."""
    return html.Span(text, className=f"sla-card sla-{card}", style={"background": CARD_COLOURS.get(card, MUTED),
                     "color": "#111", "padding": "0 6px", "borderRadius": "3px"}, **data_attributes(card=card))


def table(rows: Sequence[Mapping[str, Any]], columns: Sequence[tuple[str, str]], *, drill: str | None = None,
          table_id: str, empty: str) -> html.Table | html.P:
    """A plain table; with `drill` (a level name) the first column is a button with the pattern-matching id
    {"type": "apv-drill", "level": drill, "key": row["key"]}, so a click drills into that row."""
    if not rows:
        return html.P(empty, id=table_id, className="text-body-secondary")
    head = html.Thead(html.Tr([html.Th(title) for _, title in columns]))
    body = []
    for row in rows:
        cells = []
        for index, (name, _) in enumerate(columns):
            value = row.get(name, "")
            if index == 0 and drill is not None:
                value = html.Button(value, id={"type": "apv-drill", "level": drill, "key": str(row["key"])},
                                    className="btn btn-link btn-sm p-0 text-info")
            cells.append(html.Td(value))
        body.append(html.Tr(cells, **data_attributes(key=str(row.get("key", "")))))
    return html.Table([head, html.Tbody(body)], id=table_id,
                      className="table table-sm table-dark table-striped align-middle")
