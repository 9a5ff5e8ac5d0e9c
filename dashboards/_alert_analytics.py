"""/alerts, the analytics tab (响应分析): how fast alerts are acknowledged and resolved (MTTA / MTTR by severity,
CAP category and department) and events dispatched and reached (by department and district), and their daily
trends, over the last 7 or 30 days in the caller's scope.

The tab is drawn when it is opened (and again when its window changes): the console's list loads without it. The
window ends with the current hour, so the services' caches serve one computation per hour and scope until a write.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, html, no_update

from components.graphs import analyst_graph
from components.i18n import translator
from components.response_figures import response_table, trend_figure
from components.ticker import SEVERITY_LABELS
from dashboards._auth import current_principal
from dashboards._runtime import runtime
from services import alerts, events
from services.alerts import CATEGORIES

WINDOWS = {"7d": 7, "30d": 30}
TAB = "analytics"


def _window(days: int) -> tuple[datetime, datetime]:
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return end - timedelta(days=days), end


def analytics_tab(lang: str) -> dbc.Tab:
    """The tab with its window choice and an empty body, filled by `fill` when opened."""
    text = translator(lang)
    choice = dbc.RadioItems(id="resp-window", value="7d", inline=True, className="resp-window",
                            options=[{"label": text[f"resp.window.{w}"], "value": w} for w in WINDOWS])
    return dbc.Tab([html.Div([html.Span(text["resp.window"], className="resp-window-label"), choice],
                             className="resp-controls"),
                    html.Div(id="resp-body", className="resp-body")],
                   label=text["resp.tab"], tab_id=TAB)


def _section(title: str, parts: list[Any]) -> html.Section:
    return html.Section([html.H2(title, className="resp-title"), *parts], className="resp-section")


def _body(lang: str, days: int) -> list[Any]:
    """Every table and trend of the tab (services' frames → components)."""
    rt = runtime()
    text = translator(lang)
    scope = current_principal().scope
    start, end = _window(days)
    pack = rt.pack.emergency.departments
    routing = tuple(sorted((c, d) for c, d in pack.items() if c != "other"))
    with rt.sessions() as session:
        by = {group: alerts.response_times(session=session, start=start, end=end, by=group, routing=routing,
                                           fallback=pack.get("other", ""), scope=scope)
              for group in ("severity", "category", "department")}
        trend = alerts.response_trend(session=session, start=start, end=end, zone=rt.settings.zone, scope=scope)
        dispatch = {group: events.dispatch_times(session=session, start=start, end=end, by=group, scope=scope)
                    for group in ("department", "district")}
        dispatch_trend = events.dispatch_trend(session=session, start=start, end=end, zone=rt.settings.zone,
                                               scope=scope)
        departments = events.department_names(session=session, lang=lang)
    names = {"severity": SEVERITY_LABELS[lang], "category": {c: text[f"resp.cat.{c}"] for c in CATEGORIES}, "department": departments,
             "district": {**rt.city.names(lang), "": text["resp.no_district"]}}
    alert_columns = [("key", ""), ("alerts", text["resp.col.alerts"]), ("mtta_min", text["resp.col.mtta"]),
                     ("mttr_min", text["resp.col.mttr"])]
    dispatch_columns = [("key", ""), ("dispatches", text["resp.col.dispatches"]),
                        ("dispatch_min", text["resp.col.dispatch"]), ("arrival_min", text["resp.col.arrival"])]
    empty = text["resp.empty"]
    alert_tables = [html.Div([html.H3(text[f"resp.by.{group}"]), response_table(
        frame, names[group], [("key", text[f"resp.by.{group}"]), *alert_columns[1:]], ["alerts"],
        table_id=f"resp-alerts-{group}", empty=empty)], className="resp-table") for group, frame in by.items()]
    dispatch_tables = [html.Div([html.H3(text[f"resp.by.{group}"]), response_table(
        frame, names[group], [("key", text[f"resp.by.{group}"]), *dispatch_columns[1:]], ["dispatches"],
        table_id=f"resp-events-{group}", empty=empty)], className="resp-table") for group, frame in dispatch.items()]
    alert_trend = trend_figure(trend, {"mtta_min": text["resp.col.mtta"], "mttr_min": text["resp.col.mttr"]},
                               {"title": text["resp.trend.alerts"], "y": text["resp.minutes"]}, lang)
    event_trend = trend_figure(dispatch_trend, {"dispatch_min": text["resp.col.dispatch"],
                                                "arrival_min": text["resp.col.arrival"]},
                               {"title": text["resp.trend.events"], "y": text["resp.minutes"]}, lang)
    return [
        _section(text["resp.alerts"], [html.P(text["resp.alerts.note"], className="resp-note"),
                                       html.Div(alert_tables, className="resp-tables"),
                                       analyst_graph("resp-alert-trend", alert_trend, "320px", lang)]),
        _section(text["resp.events"], [html.P(text["resp.events.note"], className="resp-note"),
                                       html.Div(dispatch_tables, className="resp-tables"),
                                       analyst_graph("resp-event-trend", event_trend, "320px", lang)]),
    ]


def fill(active: str | None, window: str | None, lang: str) -> Any:
    """The tab's body when it is open; nothing is computed while the console tab shows."""
    if active != TAB:
        return no_update
    return _body(lang, WINDOWS.get(window or "", 7))


def register_callbacks() -> None:
    """Wire the tab (see dashboards._auth.register_for_page)."""
    callback(Output("resp-body", "children"), Input("alerts-tabs", "active_tab"), Input("resp-window", "value"),
             State("console-lang", "data"))(fill)
