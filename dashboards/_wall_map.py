"""The wall's event map panel: districts shaded by open events, one dot per recent open event.

Refreshed in place on its own interval: the callback patches the two traces' data (`Patch`: counts, dot positions,
colours) and the as-of stamp, never the panel or the figure, so the graph, its WebGL context and the map's
style stay, and no request leaves the page (see DESIGN.md on dash issue #3846).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dash import Output, Patch, dcc, html

from components import figures
from components.i18n import translator
from components.panel import as_of_stamp, panel, refresh_timer
from dashboards._auth import current_principal
from dashboards._present import local_time
from dashboards._runtime import runtime
from dashboards._wall_refresh import register_refresh
from services import events

CADENCE_S = 60


def _data() -> tuple[Any, Any, datetime]:
    """Open events per district and the recent open events in the caller's scope, and their data time."""
    rt = runtime()
    scope = current_principal().scope
    now = datetime.now(UTC)
    with rt.sessions() as session:
        open_counts = events.open_by_district(session=session, now=now, scope=scope)
        points = events.recent_points(session=session, now=now, scope=scope)
    return open_counts, points, now


def map_panel(lang: str) -> html.Section:
    """The panel as the page first shows it."""
    rt = runtime()
    text = translator(lang)
    open_counts, points, as_of = _data()
    figure = figures.event_map(rt.city.geojson, rt.city.names(lang), open_counts, points, rt.city.center(),
                               labels={"open": text["map.open"], "overdue": text["map.overdue"]})
    graph = dcc.Graph(id="event-map", figure=figure, className="graph-fill",
                      config={"displayModeBar": False, "scrollZoom": False})
    return panel("map", text["wall.map"],
                 html.Div([graph, refresh_timer("map", CADENCE_S)], className="panel-body"),
                 as_of_stamp("map", as_of, local_time(as_of, rt.settings.zone, "%H:%M:%S"), CADENCE_S))


def map_patch(lang: str) -> tuple[Patch, datetime, str]:
    """The new data patched into the figure the page holds (same traces, same layout)."""
    rt = runtime()
    open_counts, points, as_of = _data()
    patch = Patch()
    for trace, changes in enumerate(figures.event_map_data(rt.city.names(lang), open_counts, points)):
        for path, value in changes.items():
            target = patch["data"][trace]
            *parents, leaf = path.split(".")
            for part in parents:
                target = target[part]
            target[leaf] = value
    return patch, as_of, local_time(as_of, rt.settings.zone, "%H:%M:%S")


def register_callbacks() -> None:
    """Wire this panel's refresh. The page module calls this when Dash runs it, once per app: callbacks registered
    at this module's import would reach only the first app built in the process."""
    register_refresh("map", Output("event-map", "figure"), map_patch)
