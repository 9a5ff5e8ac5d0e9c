"""The wall's city-indicator panel: one headline KPI card per domain, refreshed in place on its own interval.

Between refreshes, alerts about these indicators recolour their cards at once (dashboards/_kpi_live.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dash import Input, Output, State, callback, dcc, html

from components.i18n import translator
from components.kpi import kpi_strip
from components.panel import as_of_stamp, panel
from dashboards._auth import current_principal
from dashboards._present import kpi_cards, local_time
from dashboards._runtime import runtime
from services import indicators

# One headline indicator per domain, in the order a duty officer scans them.
WALL_KPIS = ("traffic_congestion_index", "aqi", "metro_ridership", "power_load", "police_incidents",
             "hotline_calls", "gov_ontime_rate", "crowd_gulangyu")
CADENCE_S = 60


def _content(lang: str) -> tuple[Any, datetime, str]:
    rt = runtime()
    now = datetime.now(UTC)
    with rt.sessions() as session:
        kpis = indicators.kpi_strip(session=session, codes=WALL_KPIS, now=now, scope=current_principal().scope)
    zone = rt.settings.zone
    return kpi_strip(kpi_cards(kpis, lang, zone, translator(lang))), now, local_time(now, zone, "%H:%M:%S")


def kpi_panel(lang: str) -> html.Section:
    """The panel as the page first shows it."""
    cards, as_of, as_of_text = _content(lang)
    body = html.Div([html.Div(cards, id="kpi-strip", className="kpi-strip"),
                     dcc.Interval(id="kpis-refresh", interval=CADENCE_S * 1000)], className="panel-body")
    return panel("kpis", translator(lang)["wall.kpis"], body, as_of_stamp("kpis", as_of, as_of_text, CADENCE_S))


def refresh_kpis(_tick: int | None, lang: str) -> tuple[Any, str, str]:
    cards, as_of, as_of_text = _content(lang)
    return cards, as_of.isoformat(), as_of_text


def register_callbacks() -> None:
    """Wire this panel's callbacks. The page module calls this when Dash runs it, once per app: callbacks registered
    at this module's import would reach only the first app built in the process."""
    callback(
        Output("kpi-strip", "children"),
        Output("kpis-as-of", "dateTime"),
        Output("kpis-as-of", "children"),
        Input("kpis-refresh", "n_intervals"),
        State("wall-lang", "data"),
        prevent_initial_call=True,
    )(refresh_kpis)
