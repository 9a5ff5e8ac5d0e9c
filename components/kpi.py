"""The KPI card: one indicator's value, status colour, change arrow, 24-hour sparkline and as-of stamp.

The sparkline is a row of CSS bars, not a Plotly graph, so a strip of cards costs no WebGL context and no replot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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
    delta_tone: str = "same"  # "better" | "worse" | "same": the change read with the indicator's direction
    delta_words: str = ""  # the change's direction and meaning in words ("上升，变差"), for screen readers


ARROWS = {1: "▲", -1: "▼"}
_HIDDEN: dict[str, Any] = {"aria-hidden": "true"}  # a keyword with a dash, which the stubs do not declare


def delta_parts(card: KpiCardData) -> list[html.Span]:
    """The change since yesterday: an arrow (coloured by `delta_tone` in CSS, hidden from screen readers), the
    text, and the same meaning in words for screen readers, so colour is never the only carrier."""
    return [html.Span(ARROWS.get(card.delta_sign, "▬"), className="kpi-arrow", **_HIDDEN),
            html.Span(card.delta_text),
            html.Span(f" {card.delta_words}" if card.delta_words else "", className="visually-hidden")]


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
    return html.Div(
        [
            html.Div(card.name, className="kpi-name"),
            html.Div([html.Span(card.value_text, className="kpi-value"), html.Span(card.unit, className="kpi-unit")],
                     className="kpi-reading"),
            html.Div(delta_parts(card), className=f"kpi-delta tone-{card.delta_tone}"),
            *([_sparkline(card.sparkline)] if spark else []),
            html.Div(card.as_of_text, className="kpi-asof" + (" is-stale" if card.stale else "")),
        ],
        id=f"{hook}-{card.code}",
        className=f"kpi-card status-{card.status}",
        **data_attributes(status=card.status, stale="true" if card.stale else "false"),
    )


def kpi_strip(cards: Sequence[KpiCardData], hook: str = "kpi", spark: bool = True) -> list[html.Div]:
    return [kpi_card(card, hook, spark) for card in cards]
