"""The wall's approvals panel (一网通办): applications received and completed per hour over the last 24 whole hours
(the hour still filling is left out, as the x axis says: drawn, it would look like a fall every hour), beside the
departments ranked by today's on-time rate.

The figure is drawn once; each refresh patches it in place (the last hour rewritten, a new hour appended once over
and the oldest dropped, `components.approval_figures.throughput_patch`), so a wall that runs for weeks never
rebuilds it. The same refresh rewrites the ranking's few rows and moves the panel's as-of stamp; the timer is off
while a refresh runs. The ranking is read through the approvals cache for the minute, so the walls of one scope
share one computation.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from components import figures
from components.html_attrs import data_attributes
from components.i18n import translator
from components.panel import as_of_stamp, panel, refresh_timer, while_refreshing
from dashboards import _approval_views as views
from dashboards._auth import current_principal
from dashboards._present import local_time
from dashboards._runtime import runtime
from services import approvals
from services.access import Scope

CADENCE_S = 60
SERIES = ("received", "completed")
RANKED = 5  # departments a wall can show legibly beside the chart
Y_TICKS = 6  # at most, as plotly.js picks for the chart's height on a 1080p canvas, so a 4K one shows no more


def _stamp(now: datetime) -> str:
    return local_time(now, runtime().settings.zone, "%H:%M:%S")


def _today(now: datetime) -> tuple[datetime, datetime]:
    """Local midnight to the end of the current hour: whole hours, which the approvals rollup answers alone."""
    zone = runtime().settings.zone
    start = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    return start.astimezone(UTC), now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def _places(rates: pd.Series) -> list[int]:
    """Competition ranking (1, 1, 1, 4) of rates as shown (to 0.1 %): departments the wall cannot tell apart
    share a place rather than being ordered by a difference nobody sees."""
    shown = rates.fillna(-1).round(3)
    return [1 + int((shown > rate).sum()) for rate in shown]


def _ranking_rows(scope: Scope, now: datetime, lang: str) -> list[html.Li]:
    """The RANKED departments with the best on-time rate today (more completed first among equals), each with its
    place (tied ones share it), and a last line saying how many more share the last place shown."""
    start, end = _today(now)
    text = translator(lang)
    with runtime().sessions() as session:
        names = approvals.catalog_names(session=session, lang=lang)["department"]
        table = approvals.summary(session=session, start=start, end=end, by="department", scope=scope)
    done = table[table["completed"] > 0].sort_values(["on_time_rate", "completed"], ascending=False)
    places = _places(done["on_time_rate"])
    rows: list[html.Li] = [
        html.Li([html.Span(str(place), className="rank-place"),
                 html.Span(names.get(row.key, row.key), className="rank-name"),
                 html.Span(views.pct(row.on_time_rate), className="rank-rate"),
                 html.Span(f"{int(row.completed)}", className="rank-count", title=text["wall.ranking.completed"])],
                className="rank-row", **data_attributes(department=str(row.key), place=str(place)))
        for place, row in zip(places, done.head(RANKED).itertuples(), strict=False)]
    tied_beyond = places[RANKED:].count(places[RANKED - 1]) if len(places) > RANKED else 0
    if tied_beyond:
        rows.append(html.Li(text["wall.ranking.tied_more"].format(n=tied_beyond, rate=views.pct(
            done["on_time_rate"].iloc[RANKED - 1])), className="rank-more"))
    return rows


def approvals_panel(lang: str, scale: float = 1.0) -> html.Section:
    """The panel as the page first shows it, its chart drawn at its canvas's `scale` (Canvas.unit); the refresh
    patches data only, so the sizes stay."""
    now = datetime.now(UTC)
    text = translator(lang)
    scope = current_principal().scope
    with runtime().sessions() as session:  # the last 24 whole hours: the one still filling would draw as a drop
        flow = approvals.hourly_throughput(session=session, now=now - timedelta(hours=1), scope=scope)
    figure = figures.with_axis_titles(views.throughput(flow, lang, SERIES, scale, Y_TICKS),
                                      text["wall.approvals.hours_axis"], text["wall.approvals.unit"], scale)
    graph = dcc.Graph(id="approvals-throughput", figure=figure, className="graph-fill",
                      config={"displayModeBar": False, "staticPlot": True})
    ranking = html.Div([html.H3(text["wall.ranking"], className="rank-title"),
                        html.Ol(_ranking_rows(scope, now, lang), id="approvals-ranking", className="rank-list")],
                       className="approvals-ranking")
    body = html.Div([html.Div([graph, ranking], className="approvals-body"),
                     dcc.Store(id="approvals-flow", data=views.flow_state(flow)),
                     refresh_timer("approvals", CADENCE_S)], className="panel-body")
    return panel("approvals", text["wall.approvals"], body, as_of_stamp("approvals", now, _stamp(now), CADENCE_S))


def refresh_approvals(_tick: int | None, flow: dict[str, Any]) -> tuple[Any, dict[str, Any], str, str]:
    """(the figure's Patch, the new flow state, the stamp's dateTime and text)."""
    now = datetime.now(UTC)
    patch, flow = views.patch_throughput(flow, current_principal().scope, approvals.ALL, SERIES, whole_hours=True)
    return patch, flow, now.isoformat(), _stamp(now)


def _refresh_panel(tick: int | None, flow: dict[str, Any], lang: str) -> tuple[Any, ...]:
    """The refresh callback: `refresh_approvals`' answer with the ranking's rows of the same moment."""
    patch, flow, stamp, stamp_text = refresh_approvals(tick, flow)
    return patch, flow, _ranking_rows(current_principal().scope, datetime.fromisoformat(stamp), lang), stamp, stamp_text


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
        running=while_refreshing("approvals"),
        prevent_initial_call=True,
    )(_refresh_panel)
