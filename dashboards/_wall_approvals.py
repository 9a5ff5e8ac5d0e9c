"""The wall's approvals panel (一网通办): applications received and completed per hour over the last 24 whole hours
(the hour still filling is left out, as the x axis says: drawn, it would look like a fall every hour), beside the
screen's ranking: departments or districts, worst first (后进榜) or best first (红榜), over a rolling week with a
minimum volume (`services.rankings`; the screen's TOML chooses, citypacks/README.md).

The figure is drawn once; each refresh patches it in place (the last hour rewritten, a new hour appended once over
and the oldest dropped, `components.approval_figures.throughput_patch`), so a wall that runs for weeks never
rebuilds it. The same refresh rewrites the ranking's few rows and moves the panel's as-of stamp; the timer is off
while a refresh runs. The ranking is read through the rankings cache for the hour (a write invalidates it), so the
walls of one scope share one computation.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from dash import Input, Output, State, callback, dcc, html

from components import figures
from components.html_attrs import data_attributes
from components.i18n import translator
from components.panel import as_of_stamp, panel, refresh_timer, while_refreshing
from components.rankings import ranking_rows
from dashboards import _approval_views as views
from dashboards._auth import current_principal
from dashboards._present import local_time
from dashboards._runtime import runtime
from services import approvals, rankings
from services.access import Scope
from services.citypack import Panel

CADENCE_S = 60
SERIES = ("received", "completed")
RANKED = 5  # departments a wall can show legibly beside the chart
Y_TICKS = 6  # at most, as plotly.js picks for the chart's height on a 1080p canvas, so a 4K one shows no more


def _stamp(now: datetime) -> str:
    return local_time(now, runtime().settings.zone, "%H:%M:%S")


def _rule(panel: Panel | None) -> dict[str, Any]:
    """The panel's ranking settings as the page keeps them (a store the refresh reads)."""
    chosen = panel or Panel("approvals", 1, 1, 1, 1)
    return {"mode": chosen.ranking, "by": chosen.ranking_by, "min_volume": chosen.min_volume}


def _ranking_rows(scope: Scope, now: datetime, lang: str, rule: dict[str, Any]) -> list[html.Li]:
    """The RANKED units of the screen's list (services.rankings: a rolling week, Wilson bounds, a minimum
    volume), each with its place, score, change since last week and volume, and the notes below them."""
    by = rule["by"]
    with runtime().sessions() as session:
        names = (approvals.catalog_names(session=session, lang=lang)["department"] if by == "department"
                 else runtime().city.names(lang))
        table = rankings.standings(session=session, by=by, now=now, scope=scope,
                                   rule=rankings.RankingRule(rule["mode"], rule["min_volume"]))
    return ranking_rows(table, names, mode=rule["mode"], unit=by, lang=lang, limit=RANKED,
                        min_volume=rule["min_volume"])


def approvals_panel(lang: str, scale: float = 1.0, screen_panel: Panel | None = None) -> html.Section:
    """The panel as the page first shows it, its chart drawn at its canvas's `scale` (Canvas.unit), its ranking
    as the screen's `screen_panel` chooses; the refresh patches data only, so the sizes stay."""
    now = datetime.now(UTC)
    text = translator(lang)
    scope = current_principal().scope
    with runtime().sessions() as session:  # the last 24 whole hours: the one still filling would draw as a drop
        flow = approvals.hourly_throughput(session=session, now=now - timedelta(hours=1), scope=scope)
    figure = figures.with_axis_titles(views.throughput(flow, lang, SERIES, scale, Y_TICKS),
                                      text["wall.approvals.hours_axis"], text["wall.approvals.unit"], scale)
    graph = dcc.Graph(id="approvals-throughput", figure=figure, className="graph-fill",
                      config={"displayModeBar": False, "staticPlot": True})
    rule = _rule(screen_panel)
    ranking = html.Div([html.H3(text[f"rank.title.{rule['mode']}.{rule['by']}"], className="rank-title"),
                        html.Ol(_ranking_rows(scope, now, lang, rule), id="approvals-ranking",
                                className=f"rank-list rank-{rule['mode']}", **data_attributes(
                                    ranking=rule["mode"], unit=rule["by"]))],
                       className="approvals-ranking")
    body = html.Div([html.Div([graph, ranking], className="approvals-body"),
                     dcc.Store(id="approvals-flow", data=views.flow_state(flow)),
                     dcc.Store(id="approvals-ranking-rule", data=rule),
                     refresh_timer("approvals", CADENCE_S)], className="panel-body")
    return panel("approvals", text["wall.approvals"], body, as_of_stamp("approvals", now, _stamp(now), CADENCE_S))


def refresh_approvals(_tick: int | None, flow: dict[str, Any]) -> tuple[Any, dict[str, Any], str, str]:
    """(the figure's Patch, the new flow state, the stamp's dateTime and text)."""
    now = datetime.now(UTC)
    patch, flow = views.patch_throughput(flow, current_principal().scope, approvals.ALL, SERIES, whole_hours=True)
    return patch, flow, now.isoformat(), _stamp(now)


def _refresh_panel(tick: int | None, flow: dict[str, Any], lang: str, rule: dict[str, Any] | None
                   ) -> tuple[Any, ...]:
    """The refresh callback: `refresh_approvals`' answer with the ranking's rows of the same moment."""
    patch, flow, stamp, stamp_text = refresh_approvals(tick, flow)
    rows = _ranking_rows(current_principal().scope, datetime.fromisoformat(stamp), lang, rule or _rule(None))
    return patch, flow, rows, stamp, stamp_text


def register_callbacks() -> None:
    """Wire this panel's callbacks (see dashboards._auth.register_for_page)."""
    callback(
        Output("approvals-throughput", "figure"),
        Output("approvals-flow", "data"),
        Output("approvals-ranking", "children"),
        Output("approvals-as-of", "dateTime"),
        Output("approvals-as-of", "children"),
        Input("approvals-refresh", "n_intervals"),
        State("approvals-flow", "data"),
        State("wall-lang", "data"),
        State("approvals-ranking-rule", "data"),
        running=while_refreshing("approvals"),
        prevent_initial_call=True,
    )(_refresh_panel)
