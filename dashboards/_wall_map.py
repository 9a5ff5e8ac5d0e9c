"""The wall's event map panel: districts shaded by open events, one dot per recent open event.

Refreshed in place on its own interval: the callback replaces the figure property and the as-of stamp, never the
panel, so the graph and its WebGL context stay (see DESIGN.md on dash issue #3846).
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
from services import events

CADENCE_S = 60


def _content(lang: str) -> tuple[Any, datetime, str]:
    """The map figure for the caller's scope, its data time and that time as text."""
    rt = runtime()
    text = translator(lang)
    scope = current_principal().scope
    now = datetime.now(UTC)
    with rt.sessions() as session:
        open_counts = events.open_by_district(session=session, now=now, scope=scope)
        points = events.recent_points(session=session, now=now, scope=scope)
    figure = figures.event_map(rt.city.geojson, rt.city.names(lang), open_counts, points, rt.city.center(),
                               labels={"open": text["map.open"], "overdue": text["map.overdue"]})
    return figure, now, local_time(now, rt.settings.zone, "%H:%M:%S")


def map_panel(lang: str) -> html.Section:
    """The panel as the page first shows it."""
    figure, as_of, as_of_text = _content(lang)
    graph = dcc.Graph(id="event-map", figure=figure, className="graph-fill",
                      config={"displayModeBar": False, "scrollZoom": False})
    return panel("map", translator(lang)["wall.map"],
                 html.Div([graph, dcc.Interval(id="map-refresh", interval=CADENCE_S * 1000)], className="panel-body"),
                 as_of_stamp("map", as_of, as_of_text, CADENCE_S))


def refresh_map(_tick: int | None, lang: str) -> tuple[Any, str, str]:
    figure, as_of, as_of_text = _content(lang)
    return figure, as_of.isoformat(), as_of_text


def register_callbacks() -> None:
    """Wire this panel's callbacks. The page module calls this when Dash runs it, once per app: callbacks registered
    at this module's import would reach only the first app built in the process."""
    callback(
        Output("event-map", "figure"),
        Output("map-as-of", "dateTime"),
        Output("map-as-of", "children"),
        Input("map-refresh", "n_intervals"),
        State("wall-lang", "data"),
        prevent_initial_call=True,
    )(refresh_map)
