"""The KPI card: one indicator's value, status colour, change arrow, 24-hour sparkline and as-of stamp.

The sparkline is a row of CSS bars, not a Plotly graph, so a strip of cards costs no WebGL context and no replot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dash import html

from components.html_attrs import data_attributes


@dataclass(frozen=True)
class KpiCardData:
    """What a card shows, already formatted for the display language and zone."""

    code: str
    name: str
    value_text: str
    unit: str
    status: str
    delta_text: str
    delta_sign: int
    as_of_text: str
    stale: bool
    sparkline: Sequence[float]


def _sparkline(values: Sequence[float]) -> html.Div:
    finite = [v for v in values if v == v]
    low, high = (min(finite), max(finite)) if finite else (0.0, 0.0)
    span = (high - low) or 1.0
    bars = [
        html.Span(className="kpi-spark-bar", style={"height": f"{12 + 88 * (v - low) / span:.0f}%"})
        for v in values
        if v == v
    ]
    return html.Div(bars, className="kpi-spark")


def kpi_card(card: KpiCardData, hook: str = "kpi", spark: bool = True) -> html.Div:
    """`id="kpi-<code>"` and `data-status` are the stable hooks kiosk tooling and tests rely on; a second card of
    the same indicator on a page takes another `hook` (the focus panel's are `focus-<code>`). `spark=False` leaves
    the sparkline out where there is no room for it: its bars are most of a card's components, and a page pays
    for each one at load."""
    arrow = {1: "▲", -1: "▼"}.get(card.delta_sign, "▬")
    return html.Div(
        [
            html.Div(card.name, className="kpi-name"),
            html.Div([html.Span(card.value_text, className="kpi-value"), html.Span(card.unit, className="kpi-unit")],
                     className="kpi-reading"),
            html.Div([html.Span(arrow, className="kpi-arrow"), html.Span(card.delta_text)], className="kpi-delta"),
            *([_sparkline(card.sparkline)] if spark else []),
            html.Div(card.as_of_text, className="kpi-asof" + (" is-stale" if card.stale else "")),
        ],
        id=f"{hook}-{card.code}",
        className=f"kpi-card status-{card.status}",
        **data_attributes(status=card.status, stale="true" if card.stale else "false"),
    )


def kpi_strip(cards: Sequence[KpiCardData], hook: str = "kpi", spark: bool = True) -> list[html.Div]:
    return [kpi_card(card, hook, spark) for card in cards]
