"""Response-time figures and tables: alerts' MTTA / MTTR and events' time to dispatch / arrival, from the frames of
`services.alerts.response_times` and `services.events.response` (plain data in, Plotly and Dash out)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go
from dash import html

from components.approval_figures import table, titled
from components.graphs import date_axis
from components.theme import ACCENT, GRID_LINE, MUTED, STATUS_COLOURS, base_layout

LINE_COLOURS = (ACCENT, STATUS_COLOURS["warn"])
DAY_MS = 86_400_000  # one tick a day: the points are whole days


def minutes(value: object) -> str:
    """Minutes as a wall reads them: one decimal under ten, whole above, a dash for none."""
    if value is None or pd.isna(value):
        return "—"
    number = float(value)  # type: ignore[arg-type]
    return f"{number:.1f}" if number < 10 else f"{number:,.0f}"


def trend_figure(trend: pd.DataFrame, series: Mapping[str, str], titles: Mapping[str, str], lang: str) -> go.Figure:
    """One line per column of `series` (column → legend name) over `trend["day"]`, in minutes."""
    figure = go.Figure(layout=base_layout(margin={"l": 8, "r": 8, "t": 8, "b": 8}))
    for (column, name), colour in zip(series.items(), LINE_COLOURS, strict=False):
        figure.add_trace(go.Scatter(x=pd.to_datetime(trend["day"]), y=trend[column], name=name, mode="lines+markers",
                                    line={"color": colour, "width": 2}, connectgaps=False,
                                    hovertemplate=f"{name} %{{y:.1f}}<extra></extra>"))
    figure.update_layout(xaxis={**date_axis(lang, "day"), "gridcolor": GRID_LINE, "tickfont": {"color": MUTED},
                                "dtick": DAY_MS},
                         yaxis={"gridcolor": GRID_LINE, "tickfont": {"color": MUTED}, "rangemode": "tozero"},
                         showlegend=True)
    return titled(figure, titles)


def response_table(frame: pd.DataFrame, names: Mapping[str, str], columns: Sequence[tuple[str, str]],
                   counts: Sequence[str], *, table_id: str, empty: str) -> html.Table | html.P:
    """`frame`'s rows under `columns` (column, title), the first naming the row's `key` through `names`; the
    `counts` columns as whole numbers, the others as minutes (`minutes`). Each row carries `data-key`."""
    rows = []
    for record in frame.to_dict("records"):
        key = str(record["key"])
        row = {"key": key, "name": names.get(key) or key}
        row.update({name: f"{int(record[name]):,}" if name in counts else minutes(record[name])
                    for name, _ in columns[1:]})
        rows.append(row)
    return table(rows, [("name", columns[0][1]), *columns[1:]], table_id=table_id, empty=empty)
