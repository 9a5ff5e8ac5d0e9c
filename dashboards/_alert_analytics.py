"""/alerts, the analytics tab (响应分析): how fast alerts are acknowledged and resolved (MTTA / MTTR by severity,
CAP category and department) and events dispatched and reached (by department and district), and their daily
trends, over the last 7 or 30 days in the caller's scope.

The tab is drawn when it is opened (and again when its window changes): the console's list loads without it. The
window ends with the current hour, so the services' caches serve one computation per hour and scope until a write.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, clientside_callback, dcc, html, no_update

from components.graphs import analyst_graph
from components.html_attrs import aria_attributes
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


def tab_list(text: Mapping[str, str]) -> html.Div:
    """The console's two tabs as a WAI-ARIA tablist (buttons controlling their panels), with the store
    `alerts-tabs` naming the open one; switching is a clientside toggle (`register_callbacks`)."""
    return html.Div([
        *[html.Button(text[label], id=f"alerts-tab-{tab}", type="button", role="tab", n_clicks=0,
                      className="console-tab" + (" active" if tab == "console" else ""),
                      **aria_attributes(selected="true" if tab == "console" else "false",
                                        controls=f"alerts-pane-{tab}"))
          for tab, label in (("console", "resp.console_tab"), (TAB, "resp.tab"))],
        dcc.Store(id="alerts-tabs", data="console"),
    ], role="tablist", className="console-tabs", **aria_attributes(label=text["resp.tabs"]))


def pane_props(tab: str) -> dict[str, Any]:
    """A tab panel's id, role, label and visibility (the console's open at first)."""
    return {"id": f"alerts-pane-{tab}", "role": "tabpanel", "hidden": tab != "console",
            **aria_attributes(labelledby=f"alerts-tab-{tab}")}


def analytics_pane(lang: str) -> html.Div:
    """The analytics panel with its window choice and an empty body, filled by `fill` when opened."""
    text = translator(lang)
    choice = dbc.RadioItems(id="resp-window", value="7d", inline=True, className="resp-window",
                            options=[{"label": text[f"resp.window.{w}"], "value": w} for w in WINDOWS])
    return html.Div([html.Div([html.Span(text["resp.window"], id="resp-window-label", className="resp-window-label"),
                               html.Div(choice, role="radiogroup", **aria_attributes(labelledby="resp-window-label"))],
                              className="resp-controls"),
                     html.Div(id="resp-body", className="resp-body")], **pane_props(TAB))


# the tabs' switch: which panel shows and which tab says it is selected
SWITCH_JS = """
function(_console, _analytics) {
    const open = (window.dash_clientside.callback_context.triggered_id || 'alerts-tab-console')
        .replace('alerts-tab-', '');
    const tabs = ['console', 'analytics'];
    return [open, ...tabs.map(t => t !== open), ...tabs.map(t => String(t === open)),
            ...tabs.map(t => 'console-tab' + (t === open ? ' active' : ''))];
}
"""


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
                                           fallback=pack.get("other", ""), scope=scope, zone=rt.settings.zone)
              for group in ("severity", "category", "department")}
        trend = alerts.response_trend(session=session, start=start, end=end, zone=rt.settings.zone, scope=scope)
        dispatch = {group: events.dispatch_times(session=session, start=start, end=end, by=group, scope=scope,
                                                 zone=rt.settings.zone)
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
    """Wire the tabs' switch and the analytics panel (see dashboards._auth.register_for_page)."""
    tabs = ("console", TAB)
    clientside_callback(SWITCH_JS, Output("alerts-tabs", "data"),
                        *[Output(f"alerts-pane-{t}", "hidden") for t in tabs],
                        *[Output(f"alerts-tab-{t}", "aria-selected") for t in tabs],
                        *[Output(f"alerts-tab-{t}", "className") for t in tabs],
                        *[Input(f"alerts-tab-{t}", "n_clicks") for t in tabs], prevent_initial_call=True)
    callback(Output("resp-body", "children"), Input("alerts-tabs", "data"), Input("resp-window", "value"),
             State("console-lang", "data"))(fill)
