"""The wall's approvals panel (一网通办): applications received and completed per hour over the last day.

Refreshed on its own interval; the callback replaces the figure property and the as-of stamp, never the panel.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dash import Input, Output, State, callback, dcc, html

from components import figures
from components.i18n import translator
from components.panel import as_of_stamp, panel
from dashboards._auth import current_principal
from dashboards._present import local_time
from dashboards._runtime import runtime
from services import approvals

CADENCE_S = 60


def _content(lang: str) -> tuple[Any, datetime, str]:
    rt = runtime()
    text = translator(lang)
    now = datetime.now(UTC)
    with rt.sessions() as session:
        flow = approvals.hourly_throughput(session=session, now=now, scope=current_principal().scope)
    zone = rt.settings.zone
    figure = figures.throughput(flow, [local_time(hour, zone) for hour in flow["hour"]],
                                {"received": text["approvals.received"], "completed": text["approvals.completed"]})
    return figure, now, local_time(now, zone, "%H:%M:%S")


def approvals_panel(lang: str) -> html.Section:
    """The panel as the page first shows it."""
    figure, as_of, as_of_text = _content(lang)
    graph = dcc.Graph(id="approvals-throughput", figure=figure, className="graph-fill",
                      config={"displayModeBar": False, "staticPlot": True})
    body = html.Div([graph, dcc.Interval(id="approvals-refresh", interval=CADENCE_S * 1000)], className="panel-body")
    return panel("approvals", translator(lang)["wall.approvals"], body,
                 as_of_stamp("approvals", as_of, as_of_text, CADENCE_S))


def refresh_approvals(_tick: int | None, lang: str) -> tuple[Any, str, str]:
    figure, as_of, as_of_text = _content(lang)
    return figure, as_of.isoformat(), as_of_text


def register_callbacks() -> None:
    """Wire this panel's callbacks. The page module calls this when Dash runs it, once per app: callbacks registered
    at this module's import would reach only the first app built in the process."""
    callback(
        Output("approvals-throughput", "figure"),
        Output("approvals-as-of", "dateTime"),
        Output("approvals-as-of", "children"),
        Input("approvals-refresh", "n_intervals"),
        State("wall-lang", "data"),
        prevent_initial_call=True,
    )(refresh_approvals)
