"""The digital-divide lens' tables and trend (from `services.approvals.divide` frames): districts against the city
with the lagging ones marked, the channel mix by district and applicant kind, and the daily gap of online share."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go
from dash import html

from components.approval_figures import table, titled
from components.graphs import date_axis
from components.html_attrs import data_attributes
from components.theme import GRID_LINE, MUTED, STATUS_COLOURS, base_layout

CHANNELS = ("online", "mobile", "kiosk", "window")
OTHER_LINE = "#5d7394"


def _pct(value: object) -> str:
    return "—" if value is None or pd.isna(value) else f"{float(value) * 100:.1f}%"  # type: ignore[arg-type]


def _points(value: object) -> str:
    return "—" if value is None or pd.isna(value) else f"{float(value):+.1f}"  # type: ignore[arg-type]


def district_table(gaps: pd.DataFrame, names: Mapping[str, str], text: Mapping[str, str]) -> html.Table | html.P:
    """One row per district: received, online share and its gap, on-time rate and its gap, and a lag badge; each
    row carries `data-key` (the adcode) and `data-lagging`."""
    rows = [{"key": r.district, "name": names.get(r.district) or r.district or text["divide.no_district"],
             "received": f"{int(r.received):,}", "online": _pct(r.online_share), "online_gap": _points(r.online_gap),
             "on_time": _pct(r.on_time_rate), "on_time_gap": _points(r.on_time_gap),
             "flag": html.Span(text["divide.lagging"], className="divide-flag",
                               **data_attributes(lagging="true")) if r.lagging else ""}
            for r in gaps.itertuples()]
    columns = [("name", text["divide.col.district"]), ("received", text["divide.col.received"]),
               ("online", text["divide.col.online"]), ("online_gap", text["divide.col.gap"]),
               ("on_time", text["divide.col.on_time"]), ("on_time_gap", text["divide.col.gap"]),
               ("flag", text["divide.col.flag"])]
    return table(rows, columns, table_id="divide-districts", empty=text["divide.empty"])


def channel_mix(cells: pd.DataFrame, names: Mapping[str, str], text: Mapping[str, str]) -> html.Table | html.P:
    """Applications received per district × applicant kind (rows) and channel (columns), with the online share and
    on-time rate of each row."""
    if cells.empty:
        return table([], [], table_id="divide-channels", empty=text["divide.empty"])
    counts = cells.pivot_table(index=["district", "applicant_kind"], columns="channel", values="received",
                               aggfunc="sum", fill_value=0).reindex(columns=list(CHANNELS), fill_value=0)
    sums = cells.groupby(["district", "applicant_kind"])[["received", "online", "with_due", "on_time"]].sum()
    rows = []
    for (district, kind), row in counts.iterrows():
        total = sums.loc[(district, kind)]
        rows.append({"key": f"{district}:{kind}", "name": names.get(district) or district or text["divide.no_district"],
                     "kind": text[f"divide.kind.{kind}"] if f"divide.kind.{kind}" in text else kind,
                     **{c: f"{int(row[c]):,}" for c in CHANNELS},
                     "online_share": _pct(total["online"] / total["received"] if total["received"] else None),
                     "on_time": _pct(total["on_time"] / total["with_due"] if total["with_due"] else None)})
    columns = [("name", text["divide.col.district"]), ("kind", text["divide.col.kind"]),
               *[(c, text[f"divide.channel.{c}"]) for c in CHANNELS], ("online_share", text["divide.col.online"]),
               ("on_time", text["divide.col.on_time"])]
    return table(rows, columns, table_id="divide-channels", empty=text["divide.empty"])


def gap_figure(trend: pd.DataFrame, names: Mapping[str, str], lagging: set[str], text: Mapping[str, str],
               lang: str) -> go.Figure:
    """Each district's daily online-share gap to the city in points; lagging districts in the alarm colour, the
    others muted, the city at zero."""
    figure = go.Figure(layout=base_layout())
    for district, part in trend.groupby("district", sort=True):
        behind = district in lagging
        name = names.get(str(district)) or str(district) or text["divide.no_district"]
        figure.add_trace(go.Scatter(x=pd.to_datetime(part["day"]), y=part["online_gap"], name=name,
                                    mode="lines+markers", line={"width": 3 if behind else 1.5,
                                                                "color": STATUS_COLOURS["alarm"] if behind else OTHER_LINE},
                                    hovertemplate=f"{name} %{{y:+.1f}}<extra></extra>"))
    figure.add_hline(y=0, line={"color": MUTED, "dash": "dot", "width": 1})
    figure.update_layout(xaxis={**date_axis(lang, "day"), "gridcolor": GRID_LINE, "tickfont": {"color": MUTED},
                                "dtick": 86_400_000},
                         yaxis={"gridcolor": GRID_LINE, "tickfont": {"color": MUTED}, "zeroline": False},
                         showlegend=True)
    return titled(figure, {"title": text["divide.trend"], "y": text["divide.points"]})
