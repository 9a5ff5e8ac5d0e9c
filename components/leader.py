"""The pieces of the leader's overview (`/`): KPI tiles, big numbers, severity counts, alerts, district chart.

Every piece that changes carries an id of its own, so the page refreshes by setting properties (a value's
text, a tile's status, a figure) and never rebuilds a panel. Tiles and rows are links or plain blocks that
wrap: the page lays them out in a CSS grid that is several columns on a laptop and one on a phone
(assets/leader.css).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
from dash import dcc, html

from components.html_attrs import data_attributes
from components.kpi import KpiCardData, delta_parts
from components.theme import ACCENT, MUTED, STATUS_COLOURS, base_layout

ALERT_SLOTS = 5
GRAPH_CONFIG: dcc.Graph.Config = {"displayModeBar": False, "responsive": True, "scrollZoom": False, "doubleClick": False}


def kpi_tile_props(card: KpiCardData) -> dict[str, Any]:
    """The tile's changing properties, by element id suffix: what the refresh callback sets."""
    return {"className": f"leader-kpi status-{card.status} tone-{card.delta_tone}", "data-status": card.status,
            "value": card.value_text, "delta": delta_parts(card)}


def kpi_tile(card: KpiCardData, href: str) -> html.A:
    """`id="kpi-<code>"` with `data-status` (the stable KPI hook); the whole tile is a link to the detail."""
    props = kpi_tile_props(card)
    return html.A(
        [html.Span(card.name, className="leader-kpi-name"),
         html.Span([html.Span(props["value"], id=f"leader-kpi-value-{card.code}",
                              className="leader-kpi-value"),
                    html.Span(card.unit, className="leader-kpi-unit")], className="leader-kpi-reading"),
         html.Span(props["delta"], id=f"leader-kpi-delta-{card.code}", className="leader-kpi-delta")],
        href=href, id=f"kpi-{card.code}", className=props["className"],
        **data_attributes(status=props["data-status"]),
    )  # fmt: skip


def big_number(element_id: str, label: str, value: str, tone: str = "") -> html.Div:
    """A label over a large figure; the figure's element is `element_id`."""
    return html.Div([html.Span(label, className="leader-big-label"),
                     html.Span(value, id=element_id, className=f"leader-big-value {tone}".strip())],
                    className="leader-big")


def severity_counts(labels: Mapping[str, str], counts: Mapping[str, int]) -> html.Ul:
    """One chip per severity (most severe first), each count in `leader-sev-<severity>`."""
    return html.Ul([html.Li([html.Span(label, className="leader-sev-label"),
                             html.Span(str(counts.get(severity, 0)), id=f"leader-sev-{severity}",
                                       className="leader-sev-count")],
                            className=f"leader-sev severity-{severity}", **data_attributes(severity=severity))
                    for severity, label in labels.items()], className="leader-sevs")


@dataclass(frozen=True)
class AlertRow:
    """One latest alert as shown; an empty `headline` leaves its slot hidden."""

    severity: str = "unknown"
    level: str = ""
    time: str = ""
    headline: str = ""


def alert_row_props(row: AlertRow) -> dict[str, str]:
    hidden = " is-empty" if not row.headline else ""
    return {"className": f"leader-alert severity-{row.severity}{hidden}", "data-severity": row.severity,
            "level": row.level, "time": row.time, "headline": row.headline}


def alert_rows(rows: Sequence[AlertRow]) -> html.Ol:
    """`ALERT_SLOTS` fixed rows `leader-alert-<i>`, newest first: the refresh rewrites their text in place."""
    padded = [*rows, *[AlertRow()] * (ALERT_SLOTS - len(rows))][:ALERT_SLOTS]
    items = []
    for index, row in enumerate(padded):
        props = alert_row_props(row)
        items.append(html.Li(
            [html.Span(props[part], id=f"leader-alert-{index}-{part}", className=f"leader-alert-{part}")
             for part in ("level", "time", "headline")],
            id=f"leader-alert-{index}", className=props["className"],
            **data_attributes(severity=props["data-severity"])))
    return html.Ol(items, className="leader-alerts")


def district_bars(names: Sequence[str], open_counts: Sequence[int], overdue: Sequence[int],
                  labels: Mapping[str, str]) -> go.Figure:
    """Open events per district with the overdue part overlaid in red; sized by its container (responsive)."""
    rows = list(zip(names, open_counts, overdue, strict=True))[::-1]  # Plotly draws the first bar lowest
    figure = go.Figure([
        go.Bar(y=[r[0] for r in rows], x=[r[1] for r in rows], name=labels["open"], orientation="h",
               marker_color=ACCENT, text=[str(r[1]) for r in rows], textposition="outside", cliponaxis=False),
        go.Bar(y=[r[0] for r in rows], x=[r[2] for r in rows], name=labels["overdue"], orientation="h",
               marker_color=STATUS_COLOURS["alarm"], width=0.4),
    ])
    figure.update_layout(**base_layout(
        autosize=True, barmode="overlay", showlegend=True, bargap=0.35,
        legend={"orientation": "h", "y": 1.12, "x": 0, "font": {"color": MUTED}},
        margin={"l": 8, "r": 36, "t": 28, "b": 8},
        xaxis={"visible": False, "fixedrange": True},
        yaxis={"automargin": True, "fixedrange": True, "tickfont": {"size": 14}},
    ))
    return figure
