"""/indicators — the analyst's page: one indicator's city trend, its districts on a map (click to drill the trend into
a district), the districts compared, over 24 h / 7 d / 30 d / 90 d, exported as CSV or Excel.

The whole view is the URL query (`code`, `range`, `district`, `lang`): `layout(**query)` draws it, so a shared or
reloaded URL restores it, and every change writes the query back through a `dcc.Location` with `refresh=False`
(pushState only: the page is not re-rendered, and Back / Forward re-render from the query). A query the page cannot
show as asked (an unknown code, a district out of scope) is corrected in the address too (dashboards/_view_url.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from dash.dcc.express import send_bytes

from components import indicator_figures as figs
from components.graphs import analyst_graph
from components.i18n import translator
from components.theme import PAGE_ATTRIBUTES, PAGE_STYLE
from dashboards._auth import current_principal, require, user_bar
from dashboards._present import unit_text
from dashboards._runtime import runtime
from dashboards._view_url import correct_url, search_of, view_location
from services import export
from services.access import Action, Scope
from services.indicators import Bucket, DrillDown, drill_down, indicator_choices

dash.register_page(__name__, path="/indicators", title="指标分析 OneScreen")

RANGES: dict[str, tuple[timedelta, Bucket]] = {
    "24h": (timedelta(hours=24), "5min"),
    "7d": (timedelta(days=7), "hour"),
    "30d": (timedelta(days=30), "hour"),
    "90d": (timedelta(days=90), "day"),
}
DEFAULT_CODE, DEFAULT_RANGE = "aqi", "24h"
_RANGE_GROUP: dict[str, Any] = {"role": "radiogroup", "aria-labelledby": "ind-range-label"}
_ALIGN = timedelta(minutes=5)  # range ends are aligned, so clicks within five minutes share cached results


def _districts(scope: Scope, lang: str) -> dict[str, str]:
    """The districts the caller may see, by adcode, named in `lang`."""
    return {code: name for code, name in runtime().city.names(lang).items() if scope.allows_district(code)}


def _state(query: dict[str, Any], scope: Scope) -> dict[str, Any]:
    """A complete, valid view from a (possibly partial or tampered) query: unknown values fall back to defaults,
    and a district-bound caller, who sees no city-wide readings, starts in their first district."""
    with runtime().sessions() as session:
        codes = set(indicator_choices(session=session)["code"])
    allowed = sorted(_districts(scope, "zh-CN"))
    district = query.get("district") if query.get("district") in allowed else None
    return {
        "code": query.get("code") if query.get("code") in codes else DEFAULT_CODE,
        "range": query.get("range") if query.get("range") in RANGES else DEFAULT_RANGE,
        "district": district if district or scope.allows_district(None) or not allowed else allowed[0],
        "lang": "en" if query.get("lang") == "en" else "zh-CN",
    }


def _view(state: dict[str, Any], scope: Scope) -> DrillDown:
    rt = runtime()
    span, bucket = RANGES[state["range"]]
    now = datetime.now(UTC)
    end = now - (now - datetime.min.replace(tzinfo=UTC)) % _ALIGN + _ALIGN
    with rt.sessions() as session:
        return drill_down(session=session, code=state["code"], district=state["district"], start=end - span,
                          end=end, bucket=bucket, tz=rt.settings.timezone, scope=scope)


def _render(state: dict[str, Any], scope: Scope) -> dict[str, Any]:
    """Everything the view draws: the three figures and the area's title. The catalog's thresholds are the city's:
    they are drawn on the city's trend only, never over a district's values."""
    rt = runtime()
    lang = state["lang"]
    text = translator(lang)
    view = _view(state, scope)
    names = _districts(scope, lang)
    unit = unit_text(view.unit, text)
    name = view.name_zh if lang == "zh-CN" else view.name_en
    labels = _labels(text) | {"value_axis": with_unit(name, unit, text),
                              "avg_axis": with_unit(text["ind.avg"], unit, text)}
    area = names.get(state["district"], text["ind.city"]) if state["district"] else text["ind.city"]
    bucket = text[f"ind.bucket.{RANGES[state['range']][1]}"]
    city = state["district"] is None
    return {
        "trend": figs.trend_figure(view.trend, zone=rt.settings.timezone, unit=unit, warn=view.warn if city else None,
                                   alarm=view.alarm if city else None, labels=labels, lang=lang),
        "map": figs.district_choropleth(rt.city.geojson, view.latest, names=names, selected=state["district"],
                                        center=rt.city.center(), unit=unit, labels=labels),
        "compare": figs.comparison_figure(view.comparison, names=names, selected=state["district"], unit=unit,
                                           labels=labels),
        "title": text["ind.view_title"].format(area=area, name=name, bucket=bucket)
        + ("" if not view.trend.empty else f" — {text['ind.no_data']}"),
    }


def with_unit(name: str, unit: str, text: Mapping[str, str]) -> str:
    """A name with its unit ("空气质量指数（AQI）", "Hourly rainfall (mm)"), unless the name already ends with it
    (the catalog's "Air quality index (AQI)") or there is none."""
    if not unit or name.endswith((f"({unit})", f"（{unit}）")):
        return name
    return text["ind.with_unit"].format(name=name, unit=unit)


def _labels(text: Any) -> dict[str, str]:
    keys = {"avg": "ind.avg", "range": "ind.band", "max": "ind.max", "latest": "ind.latest", "trend_title": "ind.trend",
            "map_title": "ind.map", "compare_title": "ind.compare", "time_axis": "ind.time",
            "district_axis": "ind.district"}
    return {k: text[v] for k, v in keys.items()} | {s: text[f"status.{s}"] for s in ("normal", "warn", "alarm", "nodata")}


def _picker_options(lang: str) -> list[dict[str, Any]]:
    """The indicators grouped by domain: a disabled heading per domain, then its indicators."""
    text = translator(lang)
    with runtime().sessions() as session:
        catalog = indicator_choices(session=session)
    options: list[dict[str, Any]] = []
    for domain, rows in catalog.groupby("domain", sort=False):
        options.append({"label": f"— {text.get(f'domain.{domain}', domain)} —", "value": f"domain:{domain}",
                        "disabled": True})
        column = "name_zh" if lang == "zh-CN" else "name_en"
        options += [{"label": with_unit(getattr(row, column), unit_text(row.unit, text), text), "value": row.code}
                    for row in rows.itertuples()]
    return options


def layout(**query: Any) -> html.Div:
    """The view the URL query names (see `_state` for the defaults)."""
    principal = current_principal()
    state = _state(query, principal.scope)
    text = translator(state["lang"])
    shown = _render(state, principal.scope)
    lang = state["lang"]
    return html.Div(
        [
            html.Div([html.H1(text["ind.title"], className="h3 mb-0"), user_bar(lang)], className="page-head"),
            html.Div(
                [
                    html.Div([dbc.Label(text["ind.indicator"], html_for="ind-code", className="mb-0 text-nowrap"),
                              dbc.Select(id="ind-code", options=_picker_options(lang), value=state["code"],
                                         className="ind-picker")], className="d-flex align-items-center gap-2"),
                    html.Div([dbc.Label(text["ind.range"], id="ind-range-label", className="mb-0 text-nowrap"),
                              dbc.RadioItems(id="ind-range", value=state["range"], inline=True,
                                             options=[{"label": text[f"ind.range.{r}"], "value": r} for r in RANGES])],
                             className="d-flex align-items-center gap-2", **_RANGE_GROUP),
                    dbc.Button(text["ind.back_to_city"], id="ind-city", color="info", outline=True, size="sm",
                               disabled=not principal.scope.allows_district(None)),
                    dbc.Button(text["ind.export_csv"], id="ind-export-csv", color="info", size="sm"),
                    dbc.Button(text["ind.export_xlsx"], id="ind-export-xlsx", color="info", size="sm"),
                    dcc.Download(id="ind-download"),
                ],
                className="d-flex flex-wrap align-items-center gap-3 mb-3",
            ),
            html.H2(shown["title"], id="ind-area", className="h5"),
            analyst_graph("ind-trend", shown["trend"], "400px", lang),
            html.Div(
                [
                    html.Section(analyst_graph("ind-map", shown["map"], "400px", lang), className="col-lg-6"),
                    html.Section(analyst_graph("ind-compare", shown["compare"], "400px", lang), className="col-lg-6"),
                ],
                className="row",
            ),
            view_location("ind-url", state),
            dcc.Store(id="ind-state", data=state),
        ],
        className="indicators-page container-fluid py-3",
        style=PAGE_STYLE,
        lang=lang,
        **PAGE_ATTRIBUTES,
    )


correct_url("ind-url")


@callback(
    Output("ind-url", "search"),
    Output("ind-state", "data"),
    Output("ind-trend", "figure"),
    Output("ind-map", "figure"),
    Output("ind-compare", "figure"),
    Output("ind-area", "children"),
    Input("ind-code", "value"),
    Input("ind-range", "value"),
    Input("ind-map", "clickData"),
    Input("ind-compare", "clickData"),
    Input("ind-city", "n_clicks"),
    State("ind-state", "data"),
    prevent_initial_call=True,
)
def update_view(code: str, span: str, map_click: Any, bar_click: Any, _city: Any, old: dict[str, Any]) -> Any:
    """Any control → the new state → URL and figures; a click on a district (map or bar) drills into it."""
    scope = current_principal().scope
    wanted = {**old, "code": code, "range": span}
    if ctx.triggered_id == "ind-map" and map_click:
        wanted["district"] = map_click["points"][0].get("location")
    elif ctx.triggered_id == "ind-compare" and bar_click:
        wanted["district"] = bar_click["points"][0]["customdata"][0]
    elif ctx.triggered_id == "ind-city":
        wanted["district"] = None
    state = _state(wanted, scope)
    if state == old:
        return (no_update,) * 6
    shown = _render(state, scope)
    return search_of(state), state, shown["trend"], shown["map"], shown["compare"], shown["title"]


@callback(
    Output("ind-download", "data"),
    Input("ind-export-csv", "n_clicks"),
    Input("ind-export-xlsx", "n_clicks"),
    State("ind-state", "data"),
    prevent_initial_call=True,
)
def download(_csv: Any, _xlsx: Any, state: dict[str, Any]) -> Any:
    """The trend as shown (area, bucket times in the display zone, avg / min / max / count), audited."""
    principal = require(Action.EXPORT)
    view = _view(state, principal.scope)
    table = _table(view, state)
    stem = f"{state['code']}_{state['district'] or 'city'}_{state['range']}"
    excel = ctx.triggered_id == "ind-export-xlsx"
    with runtime().sessions() as session:
        export.record_export(session, actor=principal, what="indicators", detail=search_of(state))
        session.commit()
    text = translator(state["lang"])
    decimals = next((row.shown_decimals for row in runtime().pack.catalogs.indicators if row.code == view.code),
                    None)
    value = export.ColumnFormat(decimals=export.DEFAULT_DECIMALS if decimals is None else decimals)
    formats = {text[f"ind.{column}"]: value for column in ("avg", "min", "max")}
    if excel:
        return send_bytes(export.to_xlsx(table, view.code, formats=formats), f"{stem}.xlsx")
    return send_bytes(export.to_csv(table, formats=formats), f"{stem}.csv")


def _table(view: DrillDown, state: dict[str, Any]) -> pd.DataFrame:
    text = translator(state["lang"])
    zone = runtime().settings.timezone
    area = runtime().city.names(state["lang"]).get(state["district"] or "", text["ind.city"])
    trend = view.trend
    return trend.assign(
        time=trend["bucket_start"].dt.tz_convert(zone), area=area, unit=view.unit  # a real date-time in the export
    )[["time", "area", "avg", "min", "max", "n", "unit"]].rename(columns={
        "time": text["ind.time"], "area": text["ind.area"], "avg": text["ind.avg"], "min": text["ind.min"],
        "max": text["ind.max"], "n": text["ind.count"], "unit": text["ind.unit"],
    })  # fmt: skip
