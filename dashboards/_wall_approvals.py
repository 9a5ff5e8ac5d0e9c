"""The wall's approvals panel (一网通办): applications received and completed per hour over the last day.

The figure is drawn once; each refresh patches it in place (the still-filling hour rewritten, a new hour appended
and the oldest dropped, `components.approval_figures.throughput_patch`), so a wall that runs for weeks never
rebuilds it. The refresh also moves the panel's as-of stamp; the timer is off while a refresh runs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dash import Input, Output, State, callback, dcc, html

from components.i18n import translator
from components.panel import as_of_stamp, panel, refresh_timer, while_refreshing
from dashboards import _approval_views as views
from dashboards._auth import current_principal
from dashboards._present import local_time
from dashboards._runtime import runtime
from services import approvals

CADENCE_S = 60
SERIES = ("received", "completed")


def _stamp(now: datetime) -> str:
    return local_time(now, runtime().settings.zone, "%H:%M:%S")


def approvals_panel(lang: str) -> html.Section:
    """The panel as the page first shows it."""
    now = datetime.now(UTC)
    with runtime().sessions() as session:
        flow = approvals.hourly_throughput(session=session, now=now, scope=current_principal().scope)
    graph = dcc.Graph(id="approvals-throughput", figure=views.throughput(flow, lang, SERIES), className="graph-fill",
                      config={"displayModeBar": False, "staticPlot": True})
    body = html.Div([graph, dcc.Store(id="approvals-flow", data=views.flow_state(flow)),
                     refresh_timer("approvals", CADENCE_S)], className="panel-body")
    return panel("approvals", translator(lang)["wall.approvals"], body,
                 as_of_stamp("approvals", now, _stamp(now), CADENCE_S))


def refresh_approvals(_tick: int | None, flow: dict[str, Any]) -> tuple[Any, dict[str, Any], str, str]:
    """(the figure's Patch, the new flow state, the stamp's dateTime and text)."""
    now = datetime.now(UTC)
    patch, flow = views.patch_throughput(flow, current_principal().scope, approvals.ALL, SERIES)
    return patch, flow, now.isoformat(), _stamp(now)


def register_callbacks() -> None:
    """Wire this panel's callbacks. The page module calls this when Dash runs it, once per app: callbacks registered
    at this module's import would reach only the first app built in the process."""
    callback(
        Output("approvals-throughput", "figure"),
        Output("approvals-flow", "data"),
        Output("approvals-as-of", "dateTime"),
        Output("approvals-as-of", "children"),
        Input("approvals-refresh", "n_intervals"),
        State("approvals-flow", "data"),
        running=while_refreshing("approvals"),
        prevent_initial_call=True,
    )(refresh_approvals)
