"""Any one indicator as a wall panel (screens/*.toml, `kind = "card"` or `"chart"`): its KPI card, and for a chart
its recent readings drawn large (the card's sparkline filling the panel), refreshed in place on the screen's cadence.

A screen may hold any number of these, so they are wired by pattern: one callback serves every card on the page.
"""

from __future__ import annotations

from datetime import datetime

from dash import MATCH, Input, Output, State, callback, dcc, html

from components.panel import panel
from dashboards._runtime import runtime
from dashboards._wall_kpis import read_cards
from services.citypack import Panel


def _cards(key: str, lang: str) -> tuple[list[html.Div], datetime, str]:
    kind, code = key.split("-", 1)
    return read_cards([code], lang, hook=kind, spark=kind == "chart")


def card_panel(lang: str, card: Panel, cadence_s: float) -> html.Section:
    """The panel of `card`'s indicator, titled with its name."""
    code = card.codes[0]
    row = next(i for i in runtime().pack.catalogs.indicators if i.code == code)
    cards, _as_of, _text = _cards(card.key, lang)
    body = html.Div([html.Div(cards, id={"role": "wall-card", "key": card.key}, className="kpi-strip kpi-single"),
                     dcc.Interval(id={"role": "wall-card-refresh", "key": card.key}, interval=int(cadence_s * 1000))],
                    className="panel-body")
    return panel(card.key, row.name_zh if lang == "zh-CN" else row.name_en, body)


def register_callbacks() -> None:
    """Wire every card's refresh (see dashboards._auth.register_for_page)."""

    def refresh(_tick: int | None, key: dict[str, str], lang: str) -> list[html.Div]:
        return _cards(key["key"], lang)[0]

    callback(
        Output({"role": "wall-card", "key": MATCH}, "children"),
        Input({"role": "wall-card-refresh", "key": MATCH}, "n_intervals"),
        State({"role": "wall-card-refresh", "key": MATCH}, "id"),
        State("wall-lang", "data"),
        prevent_initial_call=True,
    )(refresh)
