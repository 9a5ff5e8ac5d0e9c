"""/approvals, the digital-divide section (数字鸿沟): districts against the city by channel and applicant kind, the
lagging ones flagged (a threshold in points the analyst sets), and the daily trend of the online-share gap, over
the page's window in the caller's scope.

Drawn on load and again when the window or the threshold changes; the services' caches hold the sums, so moving
the threshold only re-flags.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from components.divide import channel_mix, district_table, gap_figure
from components.graphs import analyst_graph
from components.i18n import translator
from components.rankings import percent
from dashboards._auth import current_principal
from dashboards._runtime import runtime
from services import approvals

GAP_RANGE = (1, 50)


def window(days: int) -> tuple[datetime, datetime]:
    """The page's window: `days` ending with the current hour."""
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return end - timedelta(days=days), end


def figures(lang: str, days: int, gap_points: float) -> dict[str, Any]:
    """The section's parts: the flag line, the district table, the channel mix and the trend figure."""
    rt = runtime()
    text = translator(lang)
    scope = current_principal().scope
    start, end = window(days)
    with rt.sessions() as session:
        cells = approvals.channel_table(session=session, start=start, end=end, scope=scope)
        trend = approvals.gap_trend(session=session, start=start - timedelta(days=max(0, 7 - days)), end=end,
                                    scope=scope)
    gaps = approvals.district_gaps(cells, gap_points)
    names = rt.city.names(lang)
    lagging = list(gaps.loc[gaps["lagging"], "district"])
    flagged = (text["divide.flagged"].format(names="、".join(names.get(d) or d for d in lagging)) if lagging
               else text["divide.none_flagged"])
    city = text["divide.city"].format(online=percent(gaps.attrs["city_online_share"]),
                                      on_time=percent(gaps.attrs["city_on_time_rate"]))
    return {"summary": [html.Span(city), html.Br(), html.Strong(flagged, id="divide-flagged")],
            "districts": district_table(gaps, names, text), "channels": channel_mix(cells, names, text),
            "trend": gap_figure(trend, names, set(lagging), text, lang)}


def section(lang: str, days: int) -> html.Section:
    """The section as the page first draws it (threshold at the default)."""
    text = translator(lang)
    parts = figures(lang, days, approvals.DEFAULT_GAP_POINTS)
    low, high = GAP_RANGE
    return html.Section([
        html.H2(text["divide.title"], className="h6"),
        html.P(text["divide.note"], className="text-body-secondary small mb-2"),
        html.Div([dbc.Label(text["divide.gap_label"], html_for="divide-gap", className="mb-0"),
                  dcc.Input(id="divide-gap", type="number", min=low, max=high, step=1,
                            value=approvals.DEFAULT_GAP_POINTS, debounce=True, className="form-control divide-gap")],
                 className="d-flex align-items-center gap-2 mb-2"),
        html.P(parts["summary"], id="divide-summary", className="mb-2"),
        html.Div([html.Div(html.Div(parts["districts"], id="divide-district-table"), className="col-xl-6"),
                  html.Div(analyst_graph("divide-trend", parts["trend"], "300px", lang), className="col-xl-6")],
                 className="row"),
        html.H3(text["divide.channels"], className="h6 mt-2"),
        html.Div(parts["channels"], id="divide-channel-table", style={"overflowX": "auto"}),
    ], id="divide-section", className="divide-section mt-3")


def refresh(days: str | None, gap: float | None, state: dict[str, Any]) -> list[Any]:
    """A new window or threshold: the section redrawn (a threshold outside its range is clamped)."""
    low, high = GAP_RANGE
    gap_points = min(max(float(gap), low), high) if gap is not None else approvals.DEFAULT_GAP_POINTS
    parts = figures(state.get("lang", "zh-CN"), int(days or state.get("days") or 7), gap_points)
    return [parts["summary"], parts["districts"], parts["channels"], parts["trend"]]


def register_callbacks() -> None:
    """Wire the section (see dashboards._auth.register_for_page)."""
    callback(Output("divide-summary", "children"), Output("divide-district-table", "children"),
             Output("divide-channel-table", "children"), Output("divide-trend", "figure"),
             Input("apv-days", "value"), Input("divide-gap", "value"), State("apv-state", "data"),
             prevent_initial_call=True)(refresh)
